// Data-connection setup and control: PASV EPSV PORT EPRT REST ABOR.

package session

import (
	"errors"
	"net/netip"
	"strconv"

	"github.com/fastftp/fastftp/datapath"
	"github.com/fastftp/fastftp/proto"
)

var netipZero netip.AddrPort

func (s *Session) dropData() {
	if next := s.login.next; next != nil {
		if next.pasv != nil {
			next.pasv.Close()
			next.pasv = nil
		}
		next.port = netipZero
	}
}

// listen opens a passive listener on the control connection's own local address, the one
// address the client is known to reach (a wildcard listener's address is useless here).
func (s *Session) listen() *datapath.Passive {
	s.dropData()
	p, err := datapath.Listen(s.conn.local, s.env.Ports, &s.env.Data)
	if err != nil {
		s.env.Log.Warn("passive listen failed", "remote", s.conn.remote, "err", err)
		s.reply(425, "Can't open passive connection: no free port.")
		return nil
	}
	s.pend().pasv = p
	return p
}

func (s *Session) cmdPASV(_ []byte) {
	if s.login.epsvAll {
		s.reply(501, "PASV not allowed after EPSV ALL.")
		return
	}
	if !s.conn.local.Is4() {
		s.reply(425, "PASV is IPv4 only: use EPSV.")
		return
	}
	p := s.listen()
	if p == nil {
		return
	}
	ip := s.conn.local
	if m, ok := s.env.MasqueradeMap[ip]; ok && m.Is4() {
		ip = m
	} else if m := s.env.Masquerade; m.IsValid() && m.Is4() {
		ip = m
	}
	o := s.t.Out()
	*o = proto.AppendPASVReply(*o, ip, p.Port())
}

func (s *Session) cmdEPSV(arg []byte) {
	all, netproto, err := proto.ParseEPSV(arg)
	switch {
	case err != nil:
		s.reply(522, "Network protocol not supported, use (1,2).")
		return
	case all:
		s.login.epsvAll = true
		s.dropData()
		s.reply(200, "EPSV ALL command successful.")
		return
	case netproto == 1 && !s.conn.local.Is4(), netproto == 2 && s.conn.local.Is4():
		if s.conn.local.Is4() {
			s.reply(522, "Network protocol not supported, use (1).")
		} else {
			s.reply(522, "Network protocol not supported, use (2).")
		}
		return
	}
	p := s.listen()
	if p == nil {
		return
	}
	o := s.t.Out()
	*o = proto.AppendEPSVReply(*o, p.Port())
}

func (s *Session) cmdPORT(arg []byte) {
	ap, err := proto.ParsePORT(arg)
	if err != nil {
		s.reply(501, "Invalid PORT format.")
		return
	}
	s.active(ap, "PORT")
}

func (s *Session) cmdEPRT(arg []byte) {
	ap, err := proto.ParseEPRT(arg)
	switch {
	case errors.Is(err, proto.ErrUnsupported):
		s.reply(522, "Network protocol not supported, use (1,2).")
		return
	case err != nil:
		s.reply(501, "Invalid EPRT format.")
		return
	}
	s.active(ap, "EPRT")
}

// active records a PORT/EPRT target after the bounce checks; the connection is made when a
// transfer starts, so a refused target never sees a single SYN.
func (s *Session) active(ap netip.AddrPort, verb string) {
	if s.login.epsvAll {
		s.reply(501, verb+" not allowed after EPSV ALL.")
		return
	}
	switch err := datapath.CheckActive(ap, s.conn.remote.Addr(), &s.env.Data); {
	case errors.Is(err, datapath.ErrForeignAddress):
		s.env.Log.Warn("refused foreign data address", "remote", s.conn.remote, "target", ap)
		s.reply(501, "Rejected data connection to foreign address.")
		return
	case errors.Is(err, datapath.ErrPrivilegedPort):
		s.env.Log.Warn("refused privileged data port", "remote", s.conn.remote, "target", ap)
		s.reply(501, "Rejected data connection to privileged port.")
		return
	case err != nil:
		s.reply(501, "Rejected data connection.")
		return
	}
	s.dropData()
	s.pend().port = ap
	s.reply(200, verb+" command successful.")
}

func (s *Session) cmdREST(arg []byte) {
	n, err := strconv.ParseInt(string(arg), 10, 64)
	if err != nil || n < 0 {
		s.reply(501, "Invalid REST parameter.")
		return
	}
	s.pend().rest = n
	o := s.t.Out()
	b := append(*o, "350 Restarting at "...)
	b = strconv.AppendInt(b, n, 10)
	*o = append(b, ". Send STORE or RETRIEVE to initiate transfer.\r\n"...)
}

func (s *Session) cmdABOR(_ []byte) {
	if x := s.running(); x != nil {
		// The transfer's completion answers 426 then 226 (RFC 959 4.1.3).
		x.aborted = true
		x.cancel()
		return
	}
	if next := s.login.next; next != nil && (next.pasv != nil || next.port.IsValid()) {
		s.dropData()
		s.reply(225, "ABOR command successful; data channel closed.")
		return
	}
	s.reply(225, "No transfer to abort.")
}
