// MODE Z (draft-preston-ftpext-deflate, as proftpd's mod_deflate, lftp and FileZilla speak
// it): MODE Z / MODE S, OPTS MODE Z LEVEL n, and the bound on compressed transfers running
// at once. The zlib (RFC 1950) wrapping of a transfer's data stream (RETR STOR APPE STOU
// LIST NLST MLSD) is package transfer's (transfer/modez.go): compression happens in user
// space, so a MODE Z transfer never takes sendfile(2), splice(2) or the data-loop engine,
// but pacing, the stall deadline, ABOR and STAT progress (wire bytes) work as for any
// transfer. Its CPU cost per GiB is in BENCHMARKS.md "MODE Z".

package session

import (
	"bytes"
	"runtime"
	"strconv"

	"github.com/fastftp/fastftp/proto"
)

// defaultZLevel is zlib's own default, the one the draft and proftpd use; it is also the
// highest level a client may ask for unless configured: measured (BENCHMARKS.md "MODE Z"),
// level 9 costs about 18 times the CPU of level 6 on text for about 2% less on the wire.
const defaultZLevel = 6

func (e *Env) initModeZ() {
	if e.ModeZMax <= 0 {
		e.ModeZMax = runtime.NumCPU()
	}
	if e.ModeZMaxLevel <= 0 || e.ModeZMaxLevel > 9 {
		e.ModeZMaxLevel = defaultZLevel
	}
}

// connection.zmode: zOn is MODE Z; the bits under zLevelMask hold OPTS MODE Z LEVEL n as
// n+1 (0: the default level).
const (
	zOn        = 0x80
	zLevelMask = 0x0f
)

// zLevel is the compression level of the session's next MODE Z transfer.
func (s *Session) zLevel() int {
	if l := s.conn.zmode & zLevelMask; l > 0 {
		return int(l) - 1
	}
	return min(defaultZLevel, s.env.ModeZMaxLevel)
}

// optsModeZ answers OPTS MODE Z [LEVEL n]: without a pair it resets the level to the
// default (as proftpd does). Only LEVEL is supported; the draft's other options
// (ENGINE, BLOCKSIZE ...) get 501 as in proftpd.
func (s *Session) optsModeZ(val []byte) {
	if !s.env.ModeZ {
		s.reply(501, "Invalid OPTS argument: MODE Z is not enabled.")
		return
	}
	mode, pairs, _ := bytes.Cut(bytes.TrimSpace(val), []byte{' '})
	if !asciiEqualFold(mode, "Z") {
		s.reply(501, "Invalid OPTS MODE argument: only MODE Z has options.")
		return
	}
	pairs = bytes.TrimSpace(pairs)
	if len(pairs) == 0 {
		s.conn.zmode &^= zLevelMask
		s.reply(200, "MODE Z options reset to the defaults.")
		return
	}
	key, v, _ := bytes.Cut(pairs, []byte{' '})
	if !asciiEqualFold(key, "LEVEL") {
		s.reply(501, "Unsupported MODE Z option: only LEVEL is.")
		return
	}
	n, err := strconv.Atoi(string(bytes.TrimSpace(v)))
	if err != nil || n < 0 || n > s.env.ModeZMaxLevel {
		s.reply(501, "MODE Z LEVEL must be 0 to "+strconv.Itoa(s.env.ModeZMaxLevel)+".")
		return
	}
	s.conn.zmode = s.conn.zmode&zOn | uint8(n+1)
	s.reply(200, "MODE Z LEVEL set to "+strconv.Itoa(n)+".")
}

// claimModeZ takes one of the server's ModeZMax compression slots for a transfer in MODE Z
// and returns the level plus one (0 in stream mode) and the slot's release. Past the
// bound the transfer gets 425 and the data connection is dropped: falling back to stream
// mode is not possible (the client would inflate plain bytes), and proftpd has no bound to
// copy. A file transfer under TYPE A gets 504: the ASCII conversion is not done in MODE Z.
func (s *Session) claimModeZ(v proto.Verb, next *pending) (level int8, release func(), ok bool) {
	if s.conn.zmode&zOn == 0 {
		return 0, func() {}, true
	}
	file := v == proto.RETR || v == proto.STOR || v == proto.APPE || v == proto.STOU
	refuse := func(code int, text string) (int8, func(), bool) {
		if next.pasv != nil {
			next.pasv.Close()
		}
		next.pasv, next.port = nil, netipZero
		s.reply(code, text)
		return 0, nil, false
	}
	if file && s.login.ascii {
		return refuse(504, "MODE Z file transfers need TYPE I.")
	}
	bound := int64(s.env.ModeZMax)
	if s.env.zActive.Add(1) > bound {
		s.env.zActive.Add(-1)
		s.env.Log.Warn("transfer refused: too many MODE Z transfers", "remote", s.conn.remote,
			"user", s.userString(), "verb", v.String(), "max", bound)
		return refuse(425, "Too many compressed (MODE Z) transfers at once (at most "+
			strconv.FormatInt(bound, 10)+"); try again later or use MODE S.")
	}
	return int8(s.zLevel() + 1), func() { s.env.zActive.Add(-1) }, true
}
