// Where fastftpd's listening sockets come from, in one place. For each configured address
// (control listeners from server.listen, implicit FTPS from tls.implicit_listen, the
// metrics listener), in this order:
//
//  1. a socket inherited from the predecessor during a SIGUSR2 upgrade (FASTFTPD_INHERIT
//     names which descriptor serves which configured address);
//  2. a socket passed by systemd socket activation (LISTEN_FDS, LISTEN_PID,
//     LISTEN_FDNAMES): a socket named "ftps" (FileDescriptorName=ftps) serves implicit
//     FTPS, any other control connections. When no -p/-i/server.listen (no
//     --tls-implicit/tls.implicit_listen) names the addresses, every socket systemd passed
//     is served as it is; otherwise each configured address takes the socket bound to it,
//     and a socket that no configured address takes is an error;
//  3. a socket bound here, as without either.

package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"syscall"
)

// inheritEnv names the sockets a predecessor hands over: "KIND/ADDR=FD,..." where KIND is
// ftp, ftps or metrics and ADDR the configured address the socket served.
const inheritEnv = "FASTFTPD_INHERIT"

// The kinds of listening socket, as written in inheritEnv.
const (
	kindControl  = "ftp"
	kindImplicit = "ftps"
	kindMetrics  = "metrics"
)

// inherited is one entry of inheritEnv.
type inherited struct {
	kind, addr string
	fd         int
}

// String is the entry as inheritEnv writes it.
func (e inherited) String() string { return e.kind + "/" + e.addr + "=" + strconv.Itoa(e.fd) }

// parseInherit reads inheritEnv's value: "KIND/ADDRESS=FD" entries separated by commas,
// each descriptor 3 or more and named once (the taker closes each).
func parseInherit(v string) ([]inherited, error) {
	var out []inherited
	seen := map[int]bool{}
	for _, e := range strings.Split(v, ",") {
		if e == "" {
			continue
		}
		ka, fdText, ok1 := strings.Cut(e, "=")
		kind, addr, ok2 := strings.Cut(ka, "/")
		fd, err := strconv.Atoi(fdText)
		if !ok1 || !ok2 || err != nil || fd < 3 || (kind != kindControl && kind != kindImplicit && kind != kindMetrics) {
			return nil, fmt.Errorf("%s: %q is not KIND/ADDRESS=FD", inheritEnv, e)
		}
		if seen[fd] {
			return nil, fmt.Errorf("%s: descriptor %d is named twice", inheritEnv, fd)
		}
		seen[fd] = true
		out = append(out, inherited{kind, addr, fd})
	}
	return out, nil
}

// socket is a listener this process serves, and what it serves, for the next handover.
type socket struct {
	kind string
	key  string // the configured address (or, served as systemd passed it, its own)
	ln   net.Listener
}

// offer is a socket handed to this process, not yet taken by a configured address.
type offer struct {
	kind, key string // key: the configured address it served (inherited only)
	source    string // "inherited" or "systemd"
	name      string // systemd's FileDescriptorName, for messages
	ln        net.Listener
}

// sockets is this process's listening sockets: those handed over (offered, read once from
// the environment) and those open.
type sockets struct {
	offered []*offer
	open    []socket
	notes   []string // for the start-up log: where sockets came from, what was closed
	readyFD int      // the predecessor's readiness pipe; -1 when not an upgrade
	// executable is the path this process was started from, which SIGUSR2 starts.
	executable string
}

// socks returns the process's sockets, reading the environment the first time.
func (st *settings) socks() (*sockets, error) {
	if st.sockets == nil {
		s, err := takeOffered()
		if err != nil {
			return nil, err
		}
		st.sockets = s
	}
	return st.sockets, nil
}

// close closes every socket, offered or open (start-up failed).
func (s *sockets) close() {
	for _, o := range s.offered {
		o.ln.Close()
	}
	for _, o := range s.open {
		o.ln.Close()
	}
	s.offered, s.open = nil, nil
}

// take returns the offered socket of kind for the configured address addr, or nil.
// Inherited sockets match on the address they were configured with; systemd's on the
// address they are bound to (a wildcard host matches either wildcard; port 0 never).
func (s *sockets) take(kind, addr string) net.Listener {
	for i, o := range s.offered {
		if o.kind != kind {
			continue
		}
		ok := o.key == addr
		if o.source == "systemd" {
			ok = boundTo(o.ln.Addr(), addr)
		}
		if ok {
			return s.takeAt(i).ln
		}
	}
	return nil
}

// takeAt removes offered socket i and notes where it came from.
func (s *sockets) takeAt(i int) *offer {
	o := s.offered[i]
	s.offered = append(s.offered[:i], s.offered[i+1:]...)
	s.notes = append(s.notes, fmt.Sprintf("%s %s from %s", o.kind, o.ln.Addr(), o.source))
	return o
}

// boundTo reports whether a listener's address is the configured host:port.
func boundTo(a net.Addr, addr string) bool {
	ta, ok := a.(*net.TCPAddr)
	host, port, err := net.SplitHostPort(addr)
	if !ok || err != nil || port != strconv.Itoa(ta.Port) || port == "0" {
		return false
	}
	if everyAddress(host) {
		return ta.IP.IsUnspecified()
	}
	return sameHost(host, ta.IP.String())
}

// listen takes the socket of kind for the configured address from the offered ones, or
// binds it, and records it as open.
func (s *sockets) listen(kind, addr, from string) (net.Listener, error) {
	ln := s.take(kind, addr)
	if ln == nil {
		var err error
		// A worker (--workers) takes the supervisor's socket; anyone else binds.
		if ln, err = listenFor(addr, from); err != nil {
			return nil, err
		}
	}
	s.open = append(s.open, socket{kind: kind, key: addr, ln: ln})
	return ln, nil
}

// openMetrics opens the metrics listener (inherited or bound; systemd passes none).
func openMetrics(st *settings) (net.Listener, error) {
	s, err := st.socks()
	if err != nil {
		return nil, err
	}
	return s.listen(kindMetrics, st.metrics, st.metricsFrom)
}

// openListeners opens the control and implicit FTPS listeners (see the top of the file
// for the order). On error nothing it opened stays open.
func openListeners(st *settings) (ctrl, implicit []net.Listener, err error) {
	s, err := st.socks()
	if err != nil {
		return nil, nil, err
	}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	open := func(kind string, list []string, from string, asPassed bool) ([]net.Listener, error) {
		var out []net.Listener
		if asPassed && s.has(kind) {
			for i := 0; i < len(s.offered); {
				if s.offered[i].kind != kind {
					i++
					continue
				}
				o := s.takeAt(i)
				s.open = append(s.open, socket{kind: kind, key: servedAs(o), ln: o.ln})
				out = append(out, o.ln)
			}
			return out, nil
		}
		for _, a := range list {
			ln, err := s.listen(kind, a, from)
			if err != nil {
				return nil, err
			}
			out = append(out, ln)
		}
		return out, nil
	}
	if implicit, err = open(kindImplicit, st.implicit, st.implicitFrom, st.implicitDefault); err != nil {
		return nil, nil, err
	}
	if len(implicit) > 0 && st.cfg.TLS == nil {
		return nil, nil, errors.New("systemd passed an implicit FTPS socket (FileDescriptorName=ftps), which needs --certfile or tls.cert_file")
	}
	listen := st.listen
	if len(listen) == 0 {
		listen = []string{":2121"}
	}
	if ctrl, err = open(kindControl, listen, st.listenFrom, st.listenDefault); err != nil {
		return nil, nil, err
	}
	for _, o := range s.offered {
		if o.source == "systemd" {
			return nil, nil, fmt.Errorf("systemd passed socket %s (FileDescriptorName=%s) and no configured address is bound there (%s: %s): remove the addresses from the command line and file to serve exactly what systemd passes, or name it",
				o.ln.Addr(), o.name, st.listenFrom, strings.Join(listen, ", "))
		}
		// An upgrade whose configuration no longer names a socket: the predecessor
		// stops serving it as it drains.
		s.notes = append(s.notes, fmt.Sprintf("inherited %s %s (%s) is no longer configured: closed", o.kind, o.ln.Addr(), o.key))
		o.ln.Close()
	}
	s.offered = nil
	return ctrl, implicit, nil
}

// has reports whether a socket of kind was offered.
func (s *sockets) has(kind string) bool {
	for _, o := range s.offered {
		if o.kind == kind {
			return true
		}
	}
	return false
}

// servedAs is the address an offered socket is served as when it is served as passed: the
// configured address it served before an upgrade, or its own.
func servedAs(o *offer) string {
	if o.source == "inherited" {
		return o.key
	}
	return o.ln.Addr().String()
}

// bind opens a listener and turns the errors operators hit into one sentence that names
// the flag or key the address came from (from).
func bind(addr, from string) (net.Listener, error) {
	lc := net.ListenConfig{KeepAlive: -1} // as fastftp.Listen: the idle timeout closes dead clients
	ln, err := lc.Listen(context.Background(), "tcp", addr)
	if err == nil {
		return ln, nil
	}
	_, port, _ := net.SplitHostPort(addr)
	switch {
	case errors.Is(err, syscall.EACCES) && from == "-p":
		return nil, fmt.Errorf("port %s needs root or CAP_NET_BIND_SERVICE; use -p 2121", port)
	case errors.Is(err, syscall.EACCES):
		return nil, fmt.Errorf("port %s (%s) needs root or CAP_NET_BIND_SERVICE; choose a port above 1023", port, from)
	case errors.Is(err, syscall.EADDRINUSE):
		return nil, fmt.Errorf("port %s is already in use by another program; choose another with %s", port, from)
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return nil, fmt.Errorf("address %s (%s) is not an address of this machine", addr, from)
	}
	return nil, fmt.Errorf("listen on %s (%s): %w", addr, from, err)
}
