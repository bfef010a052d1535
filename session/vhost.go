// Virtual hosts (RFC 7151): HOST before login selects one, and so does the server name of
// a TLS ClientHello (SNI) on AUTH TLS or implicit FTPS. Each host has its own users (and so
// its own trees), banner, session cap and certificate; the Env's own configuration is the
// default host, which clients that never send HOST get, exactly as before hosts existed.
//
// The selection is connection state (state.go: connection.host, a stable id, and
// connection.hostBy) so that it fits in the padding of an idle session. Ids are never
// reused: a reload that removes a host leaves sessions on it unable to log in, never
// logged in on another host that took its slot.

package session

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/fastftp/fastftp/auth"
	"github.com/fastftp/fastftp/proto"
	"github.com/fastftp/fastftp/throttle"
)

// Host is one virtual host: what HOST and SNI select.
type Host struct {
	// Names select the host, compared case-insensitively (ASCII); at least one. The first
	// names the host in logs and keys its users' session counts.
	Names []string
	// Banner is the text of the 220 reply to HOST (and of an implicit FTPS greeting whose
	// SNI selected the host); "" means the server's banner.
	Banner string
	// Auth decides who may log in on this host and what each user sees. Required: users of
	// other hosts and of the default host cannot log in here.
	Auth auth.Authorizer
	// MaxSessions caps the sessions logged in on this host at once; 0 means unlimited.
	MaxSessions int
	// ReadLimit and WriteLimit cap the uploads and downloads of all the host's sessions
	// together, in bytes/s (0 unlimited), between the global and the per-user buckets.
	// SetHosts changes them for running transfers too.
	ReadLimit, WriteLimit float64
	// Certificate, if set, is presented on AUTH TLS after HOST selected this host, when
	// the ClientHello names it (SNI), and on the PROT P data connections of its sessions.
	// Nil: the server's certificate. It runs on handshake goroutines.
	Certificate func(*tls.ClientHelloInfo) (*tls.Certificate, error)
}

// Bits of connection.hostBy: what selected connection.host.
const (
	hostByHOST     = 1 << iota // the HOST command
	hostBySNI                  // the ClientHello's server name
	hostByConflict             // HOST then a ClientHello naming another known host: no login
)

// maxHostIDs bounds the host ids one Env hands out over its life (reloads included).
const maxHostIDs = 1<<16 - 1

// hostTable is one generation of the hosts, swapped whole by SetHosts. Read-only once
// published.
type hostTable struct {
	byName map[string]uint16 // lower-case name -> id
	hosts  []*hostEntry      // by id; [0] (the default host) and removed hosts are nil
	live   []*hostLive       // by id, for every id ever handed out: counts survive reloads
}

type hostEntry struct {
	Host
	name string // Names[0], lower case
}

// hostLive is the state of a host that lives across reloads.
type hostLive struct {
	sessions    atomic.Int32     // logged in now
	read, write *throttle.Bucket // Host.ReadLimit and WriteLimit, shared by its sessions
}

// hostIDs hands out stable ids by a host's first name.
type hostIDs struct {
	mu    sync.Mutex // serializes SetHosts
	ids   map[string]uint16
	lives []*hostLive
}

// ErrHosts reports an invalid host list (SetHosts, CheckHosts); the message says which host.
var ErrHosts = errors.New("invalid virtual hosts")

// CheckHosts validates a host list as SetHosts would. Safe from any goroutine.
func CheckHosts(hosts []Host) error {
	seen := make(map[string]int)
	for i := range hosts {
		h := &hosts[i]
		if len(h.Names) == 0 {
			return fmt.Errorf("%w: host #%d has no name", ErrHosts, i+1)
		}
		if h.Auth == nil {
			return fmt.Errorf("%w: host %q has no Authorizer", ErrHosts, h.Names[0])
		}
		if h.MaxSessions < 0 {
			return fmt.Errorf("%w: host %q: MaxSessions %d is negative", ErrHosts, h.Names[0], h.MaxSessions)
		}
		if h.ReadLimit < 0 || h.WriteLimit < 0 {
			return fmt.Errorf("%w: host %q: a negative rate", ErrHosts, h.Names[0])
		}
		if strings.ContainsAny(h.Banner, "\r\n\x00") {
			return fmt.Errorf("%w: host %q: banner must be one line", ErrHosts, h.Names[0])
		}
		for _, n := range h.Names {
			if !ValidHostName(n) {
				return fmt.Errorf("%w: host %q: %q is not a domain name", ErrHosts, h.Names[0], n)
			}
			k := strings.ToLower(n)
			if j, dup := seen[k]; dup {
				return fmt.Errorf("%w: name %q belongs to host #%d and host #%d", ErrHosts, n, j+1, i+1)
			}
			seen[k] = i
		}
	}
	return nil
}

// SetHosts replaces the virtual hosts while serving (a reload): HOST and SNI from now on
// select among them. A session that selected a host keeps it when the new list has a host
// of the same first name (with that host's new users and limits at its next login), and
// cannot log in when it has not. Logged-in sessions keep their user. Safe from any
// goroutine.
func (e *Env) SetHosts(hosts []Host) error {
	if err := CheckHosts(hosts); err != nil {
		return err
	}
	ids := &e.hostIDs
	ids.mu.Lock()
	defer ids.mu.Unlock()
	if ids.ids == nil {
		ids.ids = make(map[string]uint16)
		ids.lives = []*hostLive{nil} // id 0 is the default host
	}
	t := &hostTable{byName: make(map[string]uint16)}
	entries := make(map[uint16]*hostEntry, len(hosts))
	for i := range hosts {
		name := strings.ToLower(hosts[i].Names[0])
		id, ok := ids.ids[name]
		if !ok {
			if len(ids.lives) > maxHostIDs {
				return fmt.Errorf("%w: more than %d host names over the server's life; restart it", ErrHosts, maxHostIDs)
			}
			id = uint16(len(ids.lives))
			ids.ids[name] = id
			ids.lives = append(ids.lives, &hostLive{read: throttle.NewBucket(0, 0), write: throttle.NewBucket(0, 0)})
		}
		live := ids.lives[id]
		live.read.SetRate(hosts[i].ReadLimit, 0)
		live.write.SetRate(hosts[i].WriteLimit, 0)
		entries[id] = &hostEntry{Host: hosts[i], name: name}
		for _, n := range hosts[i].Names {
			t.byName[strings.ToLower(n)] = id
		}
	}
	t.live = append([]*hostLive(nil), ids.lives...)
	t.hosts = make([]*hostEntry, len(t.live))
	for id, en := range entries {
		t.hosts[id] = en
	}
	e.hosts.Store(t)
	return nil
}

// hostTable returns the current hosts (never nil after Start).
func (e *Env) hostTable() *hostTable { return e.hosts.Load() }

// entry returns the host of id, or nil for the default host and removed hosts.
func (t *hostTable) entry(id uint16) *hostEntry {
	if int(id) < len(t.hosts) {
		return t.hosts[id]
	}
	return nil
}

// lookup finds a host by name without allocating (name is ASCII-lowered into a stack
// buffer; the map lookup by string(b) does not copy).
func (t *hostTable) lookup(name []byte) (uint16, bool) {
	var buf [maxHostName]byte
	if len(name) > len(buf) {
		return 0, false
	}
	b := buf[:len(name)]
	for i, c := range name {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
	}
	id, ok := t.byName[string(b)]
	return id, ok
}

// maxHostName bounds the names lookup lowers on the stack.
const maxHostName = proto.MaxHostName

// ValidHostName reports whether s is a domain name HOST accepts (proto.ValidHostName).
// Safe from any goroutine.
func ValidHostName(s string) bool { return proto.ValidHostName([]byte(s)) }

// ipLiteral reports whether arg is an address literal, "[192.0.2.1]" or "[2001:db8::1]" as
// RFC 7151 writes them, or bare: a client that knows no name selects the default host.
func ipLiteral(arg []byte) bool {
	if len(arg) > 2 && arg[0] == '[' && arg[len(arg)-1] == ']' {
		arg = arg[1 : len(arg)-1]
	}
	if len(arg) > len("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255") {
		return false
	}
	_, err := netip.ParseAddr(string(arg))
	return err == nil
}

// cmdHOST selects a virtual host (RFC 7151): only before USER (503 after USER or login),
// 501 for what is not a host name, 504 for a name no host has (while the server has
// hosts; a server with none serves every name as its default host), 220 with the host's
// banner. HOST may be repeated before USER (the last wins) and again after REIN. On a TLS
// connection whose ClientHello named a host, HOST must name the same one.
func (s *Session) cmdHOST(arg []byte) {
	switch {
	case s.login.user != nil:
		s.reply(503, "HOST not allowed after login.")
		return
	case s.login.gotUser:
		s.reply(503, "HOST must come before USER.")
		return
	}
	if len(arg) > 0 && arg[len(arg)-1] == '.' {
		arg = arg[:len(arg)-1] // the root label: "a.example." is "a.example"
	}
	t := s.env.hostTable()
	var id uint16
	switch {
	case ipLiteral(arg):
		id = 0
	case !proto.ValidHostName(arg):
		s.reply(501, "Syntax error: HOST wants a domain name or an [IP address].")
		return
	case len(t.byName) == 0:
		id = 0
	default:
		var ok bool
		if id, ok = t.lookup(arg); !ok {
			s.reply(504, "Unknown host.")
			return
		}
	}
	if s.conn.hostBy&hostBySNI != 0 && id != s.conn.host {
		s.reply(504, "HOST names another host than the TLS server name (SNI); reconnect with one name.")
		return
	}
	s.conn.host = id
	s.conn.hostBy |= hostByHOST
	s.reply(220, s.banner())
}

// banner is the 220 text of the selected host.
func (s *Session) banner() string {
	if e := s.env.hostTable().entry(s.conn.host); e != nil && e.Banner != "" {
		return e.Banner
	}
	return s.env.Banner
}

// hostName names the selected host in logs ("" for the default host).
// hostAttr is the "host" attribute of the login and session-closed lines: none at all on
// the default host (slog's handlers drop an empty Attr), so those lines do not carry
// host="" for every session of a server without virtual hosts.
func (s *Session) hostAttr() slog.Attr {
	if s.conn.host == 0 {
		return slog.Attr{}
	}
	return slog.String("host", s.hostName())
}

func (s *Session) hostName() string {
	if s.conn.host == 0 {
		return ""
	}
	if e := s.env.hostTable().entry(s.conn.host); e != nil {
		return e.name
	}
	return "(removed)"
}

// hostRefusesLogin answers USER and PASS with 530 when the session cannot log in on its
// host: HOST and SNI named different hosts, or a reload removed the host. It reports
// whether it did.
func (s *Session) hostRefusesLogin() bool {
	switch {
	case s.conn.hostBy&hostByConflict != 0:
		s.reply(530, "HOST and the TLS server name (SNI) name different hosts; reconnect with one name.")
	case s.conn.host != 0 && s.env.hostTable().entry(s.conn.host) == nil:
		s.reply(530, "This host is no longer served; reconnect.")
	default:
		return false
	}
	return true
}

// authorizer is the Authorizer of the selected host; nil when a reload removed it.
func (s *Session) authorizer() auth.Authorizer {
	if s.conn.host == 0 {
		return s.env.authorizer()
	}
	if e := s.env.hostTable().entry(s.conn.host); e != nil {
		return e.Auth
	}
	return nil
}

// govKey is the key of u's shared limits and session count: the name on the default host,
// the name and the host on a virtual host (bob of one host is not bob of another).
func (s *Session) govKey(u *auth.User) string {
	if s.conn.host == 0 {
		return u.Name
	}
	return u.Name + "\x00" + s.hostName()
}

// hostLive returns the live state of the selected host, nil for the default host.
func (s *Session) hostLive() *hostLive {
	if s.conn.host == 0 {
		return nil
	}
	return s.env.hostTable().live[s.conn.host]
}

// hostJoin counts a login on the selected host, refusing it past the host's MaxSessions.
func (s *Session) hostJoin() bool {
	if s.conn.host == 0 {
		return true
	}
	t := s.env.hostTable()
	e := t.entry(s.conn.host)
	if e == nil {
		return false
	}
	n := t.live[s.conn.host].sessions.Add(1)
	if e.MaxSessions > 0 && int(n) > e.MaxSessions {
		t.live[s.conn.host].sessions.Add(-1)
		return false
	}
	return true
}

// hostLeave undoes hostJoin at logout.
func (s *Session) hostLeave() {
	if s.conn.host != 0 {
		s.env.hostTable().live[s.conn.host].sessions.Add(-1)
	}
}

// reinHost is REIN's part: a host chosen by HOST alone is forgotten (HOST may come again);
// one the TLS handshake chose stays, since the certificate presented cannot change, and
// so does a conflict.
func (s *Session) reinHost() {
	if s.conn.hostBy == hostByHOST {
		s.conn.host, s.conn.hostBy = 0, 0
	}
}

// ChooseCertificate implements reactor.CertChooser: on the handshake goroutine of AUTH
// TLS or implicit FTPS (which owns the session until Resume), the ClientHello's server
// name selects a host as HOST would, unless HOST came first or a user is logged in. A
// server name no host has is ignored (clients send the name they dialled, which may be
// an alias the operator never listed). HOST then a server name of another host marks the
// session so that it cannot log in. It returns the selected host's certificate, or nil
// for the server's.
func (s *Session) ChooseCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	t := s.env.hostTable()
	if sni := hello.ServerName; sni != "" && s.login.user == nil && len(t.byName) > 0 {
		if id, ok := t.lookup([]byte(strings.TrimSuffix(sni, "."))); ok {
			switch {
			case s.conn.hostBy&hostByHOST == 0:
				s.conn.host = id
				s.conn.hostBy |= hostBySNI
			case id != s.conn.host:
				s.conn.hostBy |= hostByConflict
				s.env.Log.Warn("HOST and TLS server name select different hosts: login refused",
					"remote", s.conn.remote, "host", s.hostName(), "sni", sni)
			}
		}
	}
	if e := t.entry(s.conn.host); e != nil && e.Certificate != nil {
		return e.Certificate(hello)
	}
	return nil, nil
}

// hostCertificate is the selected host's certificate source for data connections, or nil.
func (s *Session) hostCertificate() func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	if e := s.env.hostTable().entry(s.conn.host); e != nil {
		return e.Certificate
	}
	return nil
}
