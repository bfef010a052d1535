// Checksums: HASH with OPTS HASH and RANG (draft-bryan-ftpext-hash, draft-bryan-ftp-range)
// and the legacy XCRC XMD5 XSHA1 XSHA256 XSHA512. A digest reads the whole file, so it is
// treated as a download that sends nothing: it runs on the Env's hash pool (bounded
// concurrency, never on an event loop), draws from the same global, user and session
// download buckets as RETR, and its result is cached by file identity and version.

package session

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"hash"
	"hash/crc32"
	"io"
	"strconv"
	"sync"

	"github.com/fastftp/fastftp/auth"
	"github.com/fastftp/fastftp/proto"
	"github.com/fastftp/fastftp/sendfile"
	"github.com/fastftp/fastftp/vfs"
)

// hashAlgo is a digest algorithm. The zero value is SHA-256, the draft's default, so a new
// session needs no initialisation.
type hashAlgo uint8

const (
	algoSHA256 hashAlgo = iota
	algoSHA512
	algoSHA1
	algoMD5
	algoCRC32
	numAlgos
)

// algoNames are the draft's names (its IANA registry spelling), as FEAT and OPTS use them.
var algoNames = [numAlgos]string{"SHA-256", "SHA-512", "SHA-1", "MD5", "CRC32"}

func (a hashAlgo) new() hash.Hash {
	switch a {
	case algoSHA512:
		return sha512.New()
	case algoSHA1:
		return sha1.New()
	case algoMD5:
		return md5.New()
	case algoCRC32:
		return crc32.NewIEEE() // Sum is big-endian: the usual 8 hex digits
	}
	return sha256.New()
}

// Defaults of the hash machinery (Env.HashWorkers, Env.HashCacheEntries).
const (
	defaultHashCache = 4096 // keys of ~70 bytes plus digests: well under 1 MiB
	hashQueue        = 256  // requests waiting for a hash worker before 450
	hashBuf          = 256 << 10
)

var hashBufs = sync.Pool{New: func() any { b := make([]byte, hashBuf); return &b }}

// appendHashFeat appends the FEAT line " HASH SHA-256*;SHA-512;..." with the session's
// current choice starred, as the draft asks.
func (s *Session) appendHashFeat(b []byte) []byte {
	if s.env.DisableHash {
		return b
	}
	b = append(b, " HASH "...)
	for a := hashAlgo(0); a < numAlgos; a++ {
		if a > 0 {
			b = append(b, ';')
		}
		b = append(b, algoNames[a]...)
		if a == s.login.hash {
			b = append(b, '*')
		}
	}
	return append(b, '\r', '\n')
}

// optsHash answers OPTS HASH [algorithm]: without one it names the current choice.
func (s *Session) optsHash(val []byte) {
	val = bytes.TrimSpace(val)
	if len(val) > 0 {
		a := hashAlgo(0)
		for ; a < numAlgos; a++ {
			if asciiEqualFold(val, algoNames[a]) {
				break
			}
		}
		if a == numAlgos {
			s.reply(504, "Unknown algorithm: use SHA-256, SHA-512, SHA-1, MD5 or CRC32.")
			return
		}
		s.login.hash = a
	}
	s.reply(200, algoNames[s.login.hash])
}

// hashOff answers 502 when the server runs without the checksum commands.
func (s *Session) hashOff() bool {
	if s.env.DisableHash {
		s.reply(502, "Checksum commands are disabled on this server.")
		return true
	}
	return false
}

// cmdRANG stores the byte range of the next HASH. The range draft's end is inclusive;
// "RANG 1 0" (start past end) resets.
func (s *Session) cmdRANG(arg []byte) {
	if s.hashOff() {
		return
	}
	a, b, ok := bytes.Cut(bytes.TrimSpace(arg), []byte{' '})
	start, err1 := strconv.ParseInt(string(a), 10, 64)
	end, err2 := strconv.ParseInt(string(bytes.TrimSpace(b)), 10, 64)
	if !ok || err1 != nil || err2 != nil || start < 0 || end < 0 {
		s.reply(501, "Syntax: RANG <start> <end> (byte offsets, end inclusive).")
		return
	}
	next := s.pend()
	if start == 1 && end == 0 {
		next.rang = false
		s.reply(350, "Range reset.")
		return
	}
	if start > end {
		s.reply(501, "Invalid range: start is after end.")
		return
	}
	next.rang, next.rangStart, next.rangEnd = true, start, end
	s.reply(350, "Range set to "+strconv.FormatInt(start, 10)+"-"+strconv.FormatInt(end, 10)+"; send HASH.")
}

// cmdHASH digests a file (or the RANG range) with the session's algorithm and answers
// "213 <algorithm> <start>-<end> <hex> <path>". Without RANG the range is 0-<size>, as
// proftpd's mod_digest and ftpserverlib write it; with RANG it echoes the range given.
func (s *Session) cmdHASH(arg []byte) {
	if s.hashOff() {
		return
	}
	r := hashRange{end: -1}
	if next := s.login.next; next != nil && next.rang {
		r = hashRange{start: next.rangStart, end: next.rangEnd + 1, inclusive: true}
		next.rang = false // a range applies to one command
	}
	s.hashFile(arg, s.login.hash, r, false)
}

// legacyHash serves XCRC XMD5 XSHA1 XSHA256 XSHA512: "<verb> path [start [end]]", end
// exclusive and at most the size (as ftpserverlib reads them), answered "250 <hex>" as
// proftpd and ftpserverlib answer them. Trailing numbers are taken as the range, so a file
// whose name ends in " <digits>" must be asked for with HASH.
func legacyHash(a hashAlgo) handler {
	return func(s *Session, arg []byte) {
		if s.hashOff() {
			return
		}
		name, r, ok := parseLegacyRange(arg)
		if !ok {
			s.reply(501, "Syntax: X<alg> <path> [<start> [<end>]], offsets in bytes.")
			return
		}
		s.hashFile(name, a, r, true)
	}
}

// hashRange is the part of a file to digest: [start, end), end -1 meaning the file's size.
type hashRange struct {
	start, end int64
	inclusive  bool // came from RANG: echo end-1 in the reply
}

// parseLegacyRange splits "path [start [end]]". A quoted path ("a b" 0 10) is unquoted.
func parseLegacyRange(arg []byte) ([]byte, hashRange, bool) {
	r := hashRange{end: -1}
	arg = bytes.TrimRight(arg, " ")
	var nums [2]int64
	n := 0
	for n < 2 {
		i := bytes.LastIndexByte(arg, ' ')
		if i <= 0 {
			break
		}
		v, err := strconv.ParseInt(string(arg[i+1:]), 10, 64)
		if err != nil {
			break
		}
		if v < 0 {
			return nil, r, false
		}
		nums[n] = v
		n++
		arg = bytes.TrimRight(arg[:i], " ")
	}
	switch n {
	case 1:
		r.start = nums[0]
	case 2:
		r.start, r.end = nums[1], nums[0]
		if r.end < r.start {
			return nil, r, false
		}
	}
	if len(arg) >= 2 && arg[0] == '"' && arg[len(arg)-1] == '"' {
		arg = arg[1 : len(arg)-1]
	}
	return arg, r, len(arg) > 0
}

// hashResult is what a hash job reports back to the owner.
type hashResult struct {
	sum        string
	start, end int64 // the range hashed, [start, end)
	code       int   // an error reply when sum is empty
	text       string
}

// hashFile runs one digest on the hash pool, paced like a download, and answers on the
// owner. The user needs the retrieve permission: a digest reveals about the contents what
// a download would.
func (s *Session) hashFile(name []byte, a hashAlgo, r hashRange, legacy bool) {
	p := s.resolve(name)
	if !s.can(auth.PermRetrieve, p) {
		return
	}
	shown := string(name)
	fsys, env := s.login.user.FS, s.env
	d := s.xfers()
	pacer, _, release := env.gov.pacer(false, s.login.gov, s.conn.remote.Addr(), &d.writeBucket)
	ctx, cancel := context.WithCancel(context.Background())
	d.cancelDigest = cancel
	s.current.busy = true
	s.conn.watch(watchTransferring, true) // a long, throttled digest is not an idle session
	ok := env.hashPool.Submit(func() {
		res := env.digest(ctx, fsys, p, a, r, pacer)
		release()
		cancel()
		s.t.Post(func() {
			s.current.busy = false
			s.conn.watch(watchTransferring, false)
			s.conn.last.Store(env.now())
			if s.conn.closing {
				return
			}
			d.cancelDigest = nil
			s.hashReply(res, a, r, legacy, shown)
			if !s.current.busy {
				s.commandDone()
			}
		})
	})
	if !ok {
		release()
		cancel()
		d.cancelDigest = nil
		s.current.busy = false
		s.conn.watch(watchTransferring, false)
		s.reply(450, "Too many checksum requests in progress; try again later.")
	}
}

func (s *Session) hashReply(res hashResult, a hashAlgo, r hashRange, legacy bool, shown string) {
	switch {
	case res.sum == "":
		s.reply(res.code, res.text)
	case legacy:
		s.reply(250, res.sum)
	default:
		end := res.end
		if r.inclusive {
			end--
		}
		o := s.t.Out()
		b := append(*o, "213 "...)
		b = append(b, algoNames[a]...)
		b = append(b, ' ')
		b = strconv.AppendInt(b, res.start, 10)
		b = append(b, '-')
		b = strconv.AppendInt(b, end, 10)
		b = append(b, ' ')
		b = append(b, res.sum...)
		b = append(b, ' ')
		b = proto.AppendSanitizedString(b, shown)
		*o = append(b, '\r', '\n')
	}
}

// digest opens, checks and hashes one file on a hash worker. The cache is consulted after
// fstat on the open descriptor, so the version looked up is the one that would be read.
func (e *Env) digest(ctx context.Context, fsys vfs.FS, p string, a hashAlgo, r hashRange, pacer sendfile.Pacer) hashResult {
	fail := func(err error) hashResult {
		out := errorReply(ctx, stageDigest, err, p)
		return hashResult{code: out.code, text: out.text}
	}
	f, err := fsys.Open(p)
	if err != nil {
		return fail(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fail(err)
	}
	if !fi.Mode().IsRegular() {
		return hashResult{code: 550, text: p + ": not a regular file."}
	}
	size := fi.Size()
	start, end := r.start, r.end
	switch {
	case end < 0 || (!r.inclusive && end > size):
		end = size // legacy ranges stop at the end of the file, as ftpserverlib's do
	case end > size:
		return fail(errHashRange)
	}
	if start > end || start > size {
		return fail(errHashRange)
	}
	read := func() (string, error) {
		if start > 0 {
			if _, err := f.Seek(start, io.SeekStart); err != nil {
				return "", err
			}
		}
		h := a.new()
		bp := hashBufs.Get().(*[]byte)
		defer hashBufs.Put(bp)
		buf := *bp
		for left := end - start; left > 0; {
			// The pacer sleeps here, on the hash worker, as a throttled RETR does on its
			// transfer goroutine: tokens are taken before the bytes are read.
			n, err := pacer.Wait(ctx, int(min(left, int64(len(buf)))))
			if err != nil {
				return "", err
			}
			m, err := io.ReadFull(f, buf[:n])
			h.Write(buf[:m])
			e.hashRead.Add(int64(m))
			left -= int64(m)
			if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
				return "", errHashShort
			}
			if err != nil {
				return "", err
			}
		}
		var raw [sha512.Size]byte
		return hex.EncodeToString(h.Sum(raw[:0])), nil
	}
	var sum string
	if key, ok := hashKey(f, fi, a, start, end); ok && e.hashCache != nil {
		// Concurrent requests for the same file version wait for one read.
		sum, _, err = e.hashCache.Do(ctx, key, read)
	} else {
		sum, err = read()
	}
	if err != nil {
		return fail(err)
	}
	return hashResult{sum: sum, start: start, end: end}
}

// HashBytesRead returns the bytes read from files to compute digests (cache misses only).
// Safe from any goroutine.
func (e *Env) HashBytesRead() int64 { return e.hashRead.Load() }

// isHashVerb tells the checksum commands, which HELP leaves out when they are disabled.
func isHashVerb(v proto.Verb) bool {
	switch v {
	case proto.HASH, proto.RANG, proto.XCRC, proto.XMD5, proto.XSHA1, proto.XSHA256, proto.XSHA512:
		return true
	}
	return false
}
