// Commands answered on the loop without touching storage: TYPE MODE STRU FEAT OPTS HELP STAT.

package session

import (
	"bytes"

	"github.com/fastftp/fastftp/proto"
)

func (s *Session) cmdTYPE(arg []byte) {
	t, err := proto.ParseType(arg)
	switch {
	case err == proto.ErrUnsupported:
		s.reply(504, "Type not supported: use A or I.")
	case err != nil:
		s.reply(501, "Syntax error in TYPE parameter.")
	case t == 'A':
		s.login.ascii = true
		s.reply(200, "Type set to: ASCII.")
	default:
		s.login.ascii = false
		s.reply(200, "Type set to: Binary.")
	}
}

func (s *Session) cmdMODE(arg []byte) {
	if len(arg) == 1 && arg[0]|0x20 == 's' {
		s.conn.zmode &^= zOn
		s.reply(200, "Transfer mode set to: S.")
		return
	}
	if len(arg) == 1 && arg[0]|0x20 == 'z' && s.env.ModeZ {
		s.conn.zmode |= zOn
		s.reply(200, "Transfer mode set to: Z (deflate).")
		return
	}
	s.reply(504, "Unimplemented MODE type.")
}

func (s *Session) cmdSTRU(arg []byte) {
	if len(arg) == 1 && arg[0]|0x20 == 'f' {
		s.reply(200, "File transfer structure set to: F.")
		return
	}
	s.reply(504, "Unimplemented STRU type.")
}

// FEAT's reply is these fixed parts around the lines that depend on the server and the
// session, in this order: featHead, the HASH line (unless the checksum commands are off),
// featMid, the MLST line with the session's facts, the TLS lines (when TLS is on), featTail.
var (
	// The opening line and the features before HASH. AVBL is
	// draft-peterson-streamlined-ftp-command-extensions' FEAT line; CLNT (Serv-U's) has none.
	featHead = []byte("211-Features supported:\r\n AVBL\r\n EPRT\r\n EPSV\r\n")
	// The features between HASH and MLST.
	featMid = []byte(" HOST\r\n MDTM\r\n MFMT\r\n")
	// The features after the TLS lines, and the closing line.
	featTail = []byte(" REST STREAM\r\n SIZE\r\n TVFS\r\n UTF8\r\n211 End FEAT.\r\n")
)

func (s *Session) cmdFEAT(_ []byte) {
	o := s.t.Out()
	b := append(*o, featHead...)
	b = s.appendHashFeat(b)
	b = append(b, featMid...)
	b = append(b, " MLST "...)
	b = proto.AppendFactNames(b, s.login.facts, true)
	b = append(b, '\r', '\n')
	if s.env.ModeZ {
		b = append(b, " MODE Z\r\n"...)
	}
	b = s.appendTLSFeat(b)
	*o = append(b, featTail...)
}

func (s *Session) cmdOPTS(arg []byte) {
	name, val, _ := bytes.Cut(arg, []byte{' '})
	switch {
	case asciiEqualFold(name, "UTF8") || asciiEqualFold(name, "UTF-8"):
		if len(val) == 0 || asciiEqualFold(val, "ON") {
			s.reply(200, "Always in UTF8 mode.")
		} else {
			s.reply(504, "UTF8 cannot be disabled.")
		}
	case asciiEqualFold(name, "HASH") && !s.env.DisableHash:
		s.optsHash(val)
	case asciiEqualFold(name, "MODE"):
		s.optsModeZ(val)
	case asciiEqualFold(name, "MLST"):
		s.login.facts = proto.ParseFacts(val)
		o := s.t.Out()
		b := append(*o, "200 MLST OPTS "...)
		b = proto.AppendFactNames(b, s.login.facts, false)
		*o = append(b, '\r', '\n')
	default:
		s.reply(501, "Invalid OPTS argument.")
	}
}

func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		c := b[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

func (s *Session) cmdHELP(arg []byte) {
	if len(arg) > 0 {
		v := proto.Lookup(arg)
		if v == proto.Unknown {
			s.reply(501, "Unrecognized command.")
			return
		}
		s.reply(214, v.Help())
		return
	}
	o := s.t.Out()
	b := proto.AppendReplyStart(*o, 214, "The following commands are recognized:")
	b = append(b, ' ')
	for v := proto.Verb(1); v < proto.NumVerbs; v++ {
		if handlers[v] == nil || (s.env.DisableHash && isHashVerb(v)) {
			continue
		}
		b = append(b, ' ')
		b = append(b, v.String()...)
	}
	b = append(b, '\r', '\n')
	*o = proto.AppendReply(b, 214, "Help command successful.")
}

// cmdSTAT without an argument reports the session; with one it lists over the control
// connection (see statPath).
func (s *Session) cmdSTAT(arg []byte) {
	if len(arg) > 0 {
		s.statPath(arg)
		return
	}
	o := s.t.Out()
	b := proto.AppendReplyStart(*o, 211, "FTP server status:")
	b = append(b, " Connected to: "...)
	b = s.conn.remote.AppendTo(b)
	b = append(b, "\r\n Logged in as: "...)
	b = proto.AppendSanitized(b, s.login.name[:s.login.nameLen])
	b = append(b, "\r\n TYPE: "...)
	if s.login.ascii {
		b = append(b, "ASCII"...)
	} else {
		b = append(b, "Binary"...)
	}
	b = append(b, "; STRUcture: File; MODE: Stream\r\n"...)
	if x := s.running(); x != nil {
		b = append(b, " Transferring "...)
		b = proto.AppendSanitizedString(b, x.path)
		b = append(b, ": "...)
		b = appendInt(b, x.progress.Load())
		b = append(b, " bytes so far\r\n"...)
	} else {
		b = append(b, " Data connection: idle\r\n"...)
	}
	b = s.appendTransfersFrom(b)
	*o = proto.AppendReply(b, 211, "End of status.")
}

func appendInt(b []byte, n int64) []byte {
	if n < 0 {
		b = append(b, '-')
		n = -n
	}
	var tmp [20]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return append(b, tmp[i:]...)
}
