// Event hooks and custom SITE commands: how embedders react to what the server does.

package fastftp

import (
	"github.com/fastftp/fastftp/session"
	"github.com/fastftp/fastftp/xferlog"
)

// Event describes a connection, login or transfer (see Hooks).
type Event = session.Event

// EventKind says which hook an Event is for.
type EventKind = session.EventKind

// The event kinds, one per hook.
const (
	EventConnect                = session.EventConnect
	EventDisconnect             = session.EventDisconnect
	EventLogin                  = session.EventLogin
	EventLoginFailed            = session.EventLoginFailed
	EventLogout                 = session.EventLogout
	EventFileSent               = session.EventFileSent
	EventFileReceived           = session.EventFileReceived
	EventIncompleteFileSent     = session.EventIncompleteFileSent
	EventIncompleteFileReceived = session.EventIncompleteFileReceived
)

// SiteCommand is a custom SITE subcommand; SiteContext is what its Run function sees.
type (
	SiteCommand = session.SiteCommand
	// VirtualHost is one virtual host of Config.Hosts: its names, banner, users
	// (Authorizer), session cap and certificate.
	VirtualHost = session.Host
	SiteContext = session.SiteContext
)

// Hooks are pyftpdlib's on_connect ... on_incomplete_file_received callbacks. Each is
// optional. They run on the server's hook pool, never on an event loop and never on the
// session's own path: the session does not wait for them, so a hook that sleeps (a long
// job after each upload) delays only the hooks queued behind it. Consequences: hooks of one
// session may run concurrently and out of order once Workers > 1, and a hook may run after
// the client has gone. When the queue is full, events are dropped and logged.
type Hooks struct {
	OnConnect                func(Event)
	OnDisconnect             func(Event)
	OnLogin                  func(Event)
	OnLoginFailed            func(Event)
	OnLogout                 func(Event)
	OnFileSent               func(Event)
	OnFileReceived           func(Event)
	OnIncompleteFileSent     func(Event)
	OnIncompleteFileReceived func(Event)
	// Workers is how many hooks run at once; 0 means 4. Queue bounds waiting events; 0
	// means 10,000.
	Workers, Queue int
}

func (h *Hooks) lookup(k EventKind) func(Event) {
	switch k {
	case EventConnect:
		return h.OnConnect
	case EventDisconnect:
		return h.OnDisconnect
	case EventLogin:
		return h.OnLogin
	case EventLoginFailed:
		return h.OnLoginFailed
	case EventLogout:
		return h.OnLogout
	case EventFileSent:
		return h.OnFileSent
	case EventFileReceived:
		return h.OnFileReceived
	case EventIncompleteFileSent:
		return h.OnIncompleteFileSent
	case EventIncompleteFileReceived:
		return h.OnIncompleteFileReceived
	}
	return nil
}

func (h *Hooks) any() bool {
	for k := EventConnect; k <= EventIncompleteFileReceived; k++ {
		if h.lookup(k) != nil {
			return true
		}
	}
	return false
}

// dispatch hands an event to its hook on the hook pool. Called from event loops and
// transfer goroutines: it never blocks.
func (s *Server) dispatch(ev Event) {
	s.record(&ev)
	fn := s.cfg.Hooks.lookup(ev.Kind)
	if fn == nil || s.hookPool == nil {
		return
	}
	if !s.hookPool.Submit(func() { fn(ev) }) {
		s.log.Error("hook queue full: event dropped", "event", ev.Kind.String(), "remote", ev.Remote, "user", ev.User, "path", ev.Path)
	}
}

// record feeds an event to the metrics and the transfer log, on the caller's goroutine:
// both are a few atomic operations or one write(2), never a wait.
func (s *Server) record(ev *Event) {
	m := s.cfg.Metrics
	switch ev.Kind {
	case EventConnect:
		if m != nil {
			m.SessionOpened()
		}
	case EventDisconnect:
		if m != nil {
			m.SessionClosed(ev.Reason)
		}
	case EventLogin, EventLoginFailed:
		if m != nil {
			m.Login(ev.Kind == EventLogin)
		}
	case EventFileSent, EventFileReceived, EventIncompleteFileSent, EventIncompleteFileReceived:
		upload := ev.Kind == EventFileReceived || ev.Kind == EventIncompleteFileReceived
		ok := ev.Kind == EventFileSent || ev.Kind == EventFileReceived
		if m != nil {
			m.Transfer(upload, ev.Bytes, ok)
		}
		if w := s.cfg.TransferLog; w != nil {
			rec := xferlog.Record{Time: ev.Time, Duration: ev.Duration, Remote: ev.Remote.Addr(),
				Bytes: ev.Bytes, Path: ev.Path, ASCII: ev.ASCII, Incoming: upload,
				Anonymous: ev.Anon, User: ev.User, Complete: ok}
			if err := w.Log(&rec); err != nil {
				s.log.Error("transfer log write failed", "path", w.Path(), "err", err)
			}
		}
	case session.EventListingSent:
		// A listing's bytes cross the data connection like a download's: count them there.
		// No xferlog record: its format describes files (wu-ftpd and vsftpd log none).
		if m != nil {
			m.Transfer(false, ev.Bytes, ev.Err == nil)
		}
	}
}
