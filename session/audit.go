// The audit trail: one INFO line per command that changes the tree (proto.Modifies: MKD
// RMD DELE RNFR RNTO SITE MFMT STOR APPE STOU), done or refused, with the user, the client's
// address, the path and the reply code, as vsftpd's and pyftpdlib's logs have them.

package session

import "github.com/fastftp/fastftp/proto"

// auditStart notes the command; its final reply (auditEnd) writes the line. Owner only.
func (s *Session) auditStart(v proto.Verb, f proto.Flags, arg []byte) {
	next := s.pend()
	next.audit, next.auditFrom = v, ""
	switch {
	case f&proto.PathArg != 0 || (v == proto.STOU && len(arg) == 0):
		next.auditPath = s.resolve(arg)
	default: // SITE CHMOD 644 f, MFMT time f: the words as sent
		next.auditPath = string(arg)
	}
	if v == proto.RNTO {
		next.auditFrom = next.rnfr
	}
}

// audited is called with every reply code the session writes; it writes the audit line
// when a command is being audited. Replies built by hand call it too. Owner only.
func (s *Session) audited(code int) {
	if next := s.login.next; next != nil && next.audit != proto.Unknown {
		s.auditEnd(code)
	}
}

// auditEnd writes the line for the command's final reply. A transfer's 150 ends the audit
// without a line (the transfer logs its own when it ends), and so does RNFR's 350 (RNTO logs
// the rename with both names).
func (s *Session) auditEnd(code int) {
	next := s.login.next
	v := next.audit
	next.audit = proto.Unknown
	if code < 200 || code == 350 {
		next.auditPath, next.auditFrom = "", ""
		return
	}
	if next.auditFrom != "" {
		s.env.Log.Info("command", "verb", v.String(), "from", next.auditFrom, "path", next.auditPath, "code", code,
			"remote", s.conn.remote, "user", s.userString())
	} else {
		s.env.Log.Info("command", "verb", v.String(), "path", next.auditPath, "code", code,
			"remote", s.conn.remote, "user", s.userString())
	}
	next.auditPath, next.auditFrom = "", ""
}
