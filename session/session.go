// Package session is the per-connection FTP state machine. It is transport-agnostic: the gnet
// reactor (plaintext) and a goroutine transport (TLS) both feed it lines and flush its replies.
//
// Ownership: a Session is owned by one goroutine at a time (its event loop). Every method is
// owner-only unless its comment says otherwise. Blocking work goes to the Env's worker pool
// and comes back through Transport.Post.
package session

import (
	"bytes"
	"context"
	"log/slog"
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/fastftp/fastftp/internal/proxyhdr"
	"github.com/fastftp/fastftp/proto"
	"github.com/fastftp/fastftp/reactor"
)

// Transport is the control connection as the session sees it (Out, Post, Close with a
// reason); a Session is the reactor's Handler.
type Transport = reactor.Transport

var _ reactor.Handler = (*Session)(nil)

// maxUser bounds the stored user name (Linux user names are at most 32 bytes).
const maxUser = 32

var sessionIDs atomic.Uint64

// Session is one control connection's state, grouped by lifetime (state.go). Its size is
// the memory of an idle session (TestSessionSize holds it in its size class): state only
// some sessions need hangs from pointers allocated on first use.
type Session struct {
	env *Env
	t   Transport

	conn    connection // as long as the control connection
	login   login      // from USER to REIN or the end; REIN replaces it in one assignment
	current inFlight   // the command being executed
	data    *transfers // nil until the first transfer or digest
}

// New makes a session for a connection between local and remote. Call Start once the
// transport exists. Safe from any goroutine.
func New(env *Env, local, remote netip.AddrPort) *Session {
	s := &Session{env: env, login: newLogin()}
	s.conn.local = local.Addr().Unmap()
	s.conn.remote = unmap(remote)
	s.conn.shard = uint8(sessionIDs.Add(1) % regShards)
	s.conn.born = env.seconds()
	s.conn.last.Store(env.now())
	return s
}

func unmap(ap netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}

// Start attaches the transport and writes the greeting.
func (s *Session) Start(t Transport) {
	s.t = t
	s.env.track(s)
	s.event(EventConnect, "", 0, 0, nil)
	s.reply(220, s.banner()) // an implicit FTPS ClientHello may have selected a host
}

// Resume continues the session on a new transport after AUTH TLS, or starts an implicit
// FTPS session (greeting included). tlsID identifies the control connection's TLS
// session for the data-connection reuse check. Owner: the new transport.
func (s *Session) Resume(t Transport, tlsID []byte, implicitFTPS bool) {
	sh := s.env.shardOf(s)
	sh.mu.Lock() // the reaper and Shutdown read s.t under this lock (see postOutside)
	s.t = t
	sh.mu.Unlock()
	s.current.busy = false
	s.conn.tls = &controlTLS{stamp: tlsID}
	s.env.owner.connect(tlsID, s.conn.remote.Addr(), time.Now())
	if implicitFTPS {
		s.conn.protP = true // implicit FTPS protects data by default
		s.conn.tls.pbsz = true
		s.Start(t)
	}
}

// Remote returns the client's address. Safe from any goroutine.
func (s *Session) Remote() netip.AddrPort { return s.conn.remote }

// Closed releases what the session holds; the transport calls it once the connection is
// gone, with the reason it ended.
func (s *Session) Closed(reason reactor.CloseReason) {
	s.conn.closing = true
	if d := s.data; d != nil {
		if d.running != nil {
			d.running.cancel()
		}
		if d.cancelDigest != nil {
			d.cancelDigest()
		}
	}
	s.dropData()
	s.env.Log.LogAttrs(context.Background(), slog.LevelInfo, "session closed", s.logRemote(),
		slog.String("user", s.loggedName()), s.hostAttr(),
		slog.Uint64("secs", uint64(s.env.seconds()-s.conn.born)), slog.Any("reason", reason))
	s.logout()
	if c := s.conn.tls; c != nil {
		s.env.owner.closed(c.stamp, time.Now())
	}
	s.emit(Event{Kind: EventDisconnect, Reason: reason})
	s.env.untrack(s)
}

// Shutdown asks the session to say 421 and close. Safe from any goroutine.
func (s *Session) Shutdown() {
	s.postOutside(func() {
		if s.conn.closing {
			return
		}
		s.reply(421, "Server shutting down.")
		s.closeNow(reactor.ReasonServerShutdown)
	})
}

func (s *Session) idleTimeout() {
	if s.conn.closing || s.running() != nil || s.env.IdleTimeout <= 0 {
		return
	}
	// last was stamped from the coarse clock, up to a tick behind the moment it stands
	// for: allow that tick, so the timeout never fires early (a client told 300 s gets at
	// least 300 s; it may get up to a second more).
	if s.env.now()-s.conn.last.Load() < int64(s.idleLimit()+clockTick) {
		return
	}
	s.env.Log.Info("idle timeout", "remote", s.conn.remote, "user", s.userString())
	s.reply(421, "Control connection timed out.")
	s.closeNow(reactor.ReasonIdleTimeout)
}

func (s *Session) loginTimeout() {
	if s.conn.closing || s.login.user != nil {
		return
	}
	s.env.Log.Info("login timeout", "remote", s.conn.remote)
	s.reply(421, "Login timed out.")
	s.closeNow(reactor.ReasonLoginTimeout)
}

func (s *Session) closeNow(reason reactor.CloseReason) {
	s.conn.closing = true
	s.t.Close(reason)
}

// Feed executes the complete command lines at the head of in and reports how many bytes it
// consumed. Lines after the first one that starts blocking work stay unconsumed until that
// work ends (pipelined commands are answered in order). Feed may modify in (Telnet IAC
// sequences are stripped in place); nothing it keeps aliases in after it returns.
func (s *Session) Feed(in []byte) (consumed int) {
	for !s.conn.closing {
		if s.login.user == nil && proxyhdr.Looks(in[consumed:]) {
			// A PROXY header reaching the session came from a peer not trusted to send
			// one (trusted peers' headers are consumed before the session exists):
			// believing it would let anyone pick the address that limits and bans see.
			s.env.Log.Warn("connection refused: PROXY protocol header from a source not trusted to send one", "remote", s.conn.remote)
			s.closeNow(reactor.ReasonProxyRefused)
			return len(in)
		}
		line, n, err := proto.NextLine(in[consumed:])
		if err != nil {
			s.reply(500, "Command line too long.")
			s.closeNow(reactor.ReasonLineTooLong)
			return len(in)
		}
		if n == 0 {
			return consumed
		}
		if s.current.busy && (s.running() == nil || !duringTransfer(line)) {
			return consumed
		}
		consumed += n
		s.exec(line)
	}
	return consumed
}

// duringTransfer tells, without modifying line, whether it holds a verb that may act while
// a transfer runs (ABOR, STAT, QUIT). Leading Telnet IAC bytes (IAC IP, IAC DM, a lone IAC
// left when the DM went out-of-band) are skipped as clients send them before ABOR.
func duringTransfer(line []byte) bool {
	i := 0
	for i < len(line) && (line[i] >= 0x80 || line[i] == ' ') {
		i++
	}
	j := i
	for j < len(line) && j-i < 4 && line[j] != ' ' {
		j++
	}
	return proto.Lookup(line[i:j]).Flags()&proto.DuringTransfer != 0
}

func (s *Session) exec(line []byte) {
	cmd := proto.Parse(line)
	s.conn.last.Store(s.env.now())
	v := cmd.Verb
	if s.env.draining.Load() && s.running() == nil && v != proto.QUIT { // see Env.Drain
		s.reply(421, "Server shutting down.")
		s.closeNow(reactor.ReasonServerShutdown)
		return
	}
	if s.env.Debug {
		s.logCommand(&cmd)
	}
	if v == proto.Unknown {
		if len(cmd.Name) == 0 {
			s.reply(500, "Syntax error: empty command.")
			return
		}
		o := s.t.Out()
		b := append(*o, "500 '"...)
		b = proto.AppendSanitized(b, cmd.Name)
		b = append(b, "': command not understood.\r\n"...)
		*o = b
		return
	}
	if next := s.login.next; next != nil {
		if v != proto.RNTO {
			next.rnfr = "" // RNFR's path is for the command right after it only
		}
		next.audit = proto.Unknown // a reply written by hand never leaves it set for the next command
	}
	f := v.Flags()
	switch {
	case f&proto.NeedLogin != 0 && s.login.user == nil:
		s.reply(530, "Log in with USER and PASS first.")
	case f&proto.ArgRequired != 0 && len(cmd.Arg) == 0:
		s.reply(501, "Syntax error: command needs an argument.")
	case f&proto.ArgNone != 0 && len(cmd.Arg) != 0:
		s.reply(501, "Syntax error: command does not accept arguments.")
	case f&proto.PathArg != 0 && hasNUL(cmd.Arg):
		s.reply(501, "Invalid path: contains a NUL byte.")
	default:
		h := handlers[v]
		if h == nil {
			s.reply(502, "Command not implemented.")
			return
		}
		if f&proto.Modifies != 0 {
			s.auditStart(v, f, cmd.Arg)
		}
		if s.env.Observer != nil {
			s.current.verb, s.current.at = v, s.env.micros()
			h(s, cmd.Arg)
			if !s.current.busy {
				s.commandDone()
			}
			return
		}
		h(s, cmd.Arg)
	}
}

// commandDone reports the latency of the command that just finished (its final reply is
// in the output buffer) to the Observer.
func (s *Session) commandDone() {
	if o := s.env.Observer; o != nil && s.current.verb != proto.Unknown {
		o.Command(s.current.verb, time.Duration(s.env.micros()-s.current.at)*time.Microsecond)
		s.current.verb = proto.Unknown
	}
}

// ObserveReplies reports the final reply lines in b (about to be written) to the Observer.
// Transports call it before each write; it allocates nothing.
func (s *Session) ObserveReplies(b []byte) {
	o := s.env.Observer
	if o == nil {
		return
	}
	for len(b) >= 4 {
		if b[3] == ' ' && isDigit(b[0]) && isDigit(b[1]) && isDigit(b[2]) {
			o.Reply(int(b[0]-'0')*100 + int(b[1]-'0')*10 + int(b[2]-'0'))
		}
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return
		}
		b = b[i+1:]
	}
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func hasNUL(b []byte) bool {
	for _, c := range b {
		if c == 0 {
			return true
		}
	}
	return false
}

// reply appends one single-line reply.
func (s *Session) reply(code int, text string) {
	o := s.t.Out()
	*o = proto.AppendReply(*o, code, text)
	s.audited(code)
}

// replyPath appends "code <quoted path> text".
func (s *Session) replyPath(code int, p, text string) {
	o := s.t.Out()
	b := proto.AppendReply(*o, code, "")
	b = b[:len(b)-2] // drop CRLF (AppendReply always ends with it)
	b = proto.AppendQuotedPath(b, p)
	b = append(b, text...)
	*o = append(b, '\r', '\n')
	s.audited(code)
}

func (s *Session) userString() string {
	return string(s.login.name[:s.login.nameLen])
}

// loggedName is userString for the lines every session logs: the logged-in user's own
// Name when it is what the client typed (the common case), which costs no copy.
func (s *Session) loggedName() string {
	if u := s.login.user; u != nil && u.Name == string(s.login.name[:s.login.nameLen]) {
		return u.Name
	}
	return s.userString()
}

// logAddr is the client's address in the log lines every session writes (login, session
// closed). As a LogValuer it costs nothing when the line is not written (level off, a
// discarding handler); when it is, its text costs one string, where an AddrPort argument
// costs its boxing and then, in the text and JSON handlers, MarshalText's buffer and a copy
// of it. Handlers see the same text as before: AddrPort's, "" for an invalid one.
type logAddr netip.AddrPort

func (a *logAddr) LogValue() slog.Value {
	ap := (*netip.AddrPort)(a)
	if !ap.IsValid() {
		return slog.StringValue("")
	}
	return slog.StringValue(ap.String())
}

// logRemote is the "remote" attribute of those lines. The address never changes after New,
// so a handler that keeps the record and resolves it later still reads the right one.
func (s *Session) logRemote() slog.Attr {
	return slog.Any("remote", (*logAddr)(&s.conn.remote))
}

// async runs work on the pool; the completion it returns runs on the owner. While it runs
// the session consumes no input, so replies keep the order of the commands.
func (s *Session) async(work func() func()) {
	s.current.busy = true
	ok := s.env.pool.Submit(func() {
		done := work()
		s.t.Post(func() {
			s.current.busy = false
			if !s.conn.closing && done != nil {
				done()
			}
			if !s.current.busy {
				s.commandDone()
			}
		})
	})
	if !ok {
		s.current.busy = false
		s.reply(421, "Server busy, try again later.")
		s.closeNow(reactor.ReasonServerBusy)
	}
}

// postOutside posts fn from a goroutine that is neither the owner nor one of the session's
// own workers (the reaper, Shutdown): the transport may be swapped by AUTH TLS meanwhile,
// and the swap happens under the registry shard's lock.
func (s *Session) postOutside(fn func()) {
	sh := s.env.shardOf(s)
	sh.mu.Lock()
	t := s.t
	sh.mu.Unlock()
	t.Post(fn)
}

// post sends a completion to the owner from any goroutine.
func (s *Session) post(fn func()) {
	s.t.Post(func() {
		if !s.conn.closing {
			fn()
		}
	})
}

// logCommand writes one debug line per command; the password never reaches the log.
func (s *Session) logCommand(cmd *proto.Command) {
	arg := string(cmd.Arg)
	if cmd.Verb == proto.PASS {
		arg = "******"
	}
	s.env.Log.Debug("command", "remote", s.conn.remote, "user", s.userString(), "cmd", string(cmd.Name), "arg", arg)
}
