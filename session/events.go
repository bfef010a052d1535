// Events and custom SITE commands: the extension points the library exposes.

package session

import (
	"net/netip"
	"time"

	"github.com/fastftp/fastftp/auth"
	"github.com/fastftp/fastftp/reactor"
)

// EventKind names what happened (pyftpdlib's on_* callbacks).
type EventKind uint8

const (
	EventConnect EventKind = iota + 1
	EventDisconnect
	EventLogin
	EventLoginFailed
	EventLogout
	EventFileSent
	EventFileReceived
	EventIncompleteFileSent
	EventIncompleteFileReceived
	// EventListingSent is a LIST, NLST or MLSD that reached its data connection (Err says
	// whether it completed). It feeds byte accounting (metrics), not the file hooks or the
	// transfer log, which are about files.
	EventListingSent
)

var eventNames = [...]string{"", "connect", "disconnect", "login", "login failed", "logout",
	"file sent", "file received", "incomplete file sent", "incomplete file received", "listing sent"}

func (k EventKind) String() string {
	if int(k) < len(eventNames) {
		return eventNames[k]
	}
	return "unknown"
}

// Event describes one occurrence. Fields that do not apply are zero.
type Event struct {
	Kind     EventKind
	Time     time.Time
	Remote   netip.AddrPort
	User     string        // login name (the attempted one for EventLoginFailed)
	Path     string        // virtual path of the file (transfers)
	Bytes    int64         // bytes moved (transfers)
	Duration time.Duration // transfer duration
	Err      error         // why a transfer was incomplete or a login failed
	ASCII    bool          // the transfer ran in TYPE A
	Anon     bool          // the user logged in anonymously
	// Reason says why the connection ended (EventDisconnect).
	Reason reactor.CloseReason
}

// SiteCommand is a SITE subcommand added by an embedder (pyftpdlib's FAQ: SITE RMTREE).
type SiteCommand struct {
	// Name is the subcommand, upper-case ASCII ("RMTREE").
	Name string
	// Perm is required on the argument's path (or the current directory without argument).
	Perm auth.Perm
	// NoLogin lets the command run before login (rarely wise).
	NoLogin bool
	// Help is the line SITE HELP prints for it.
	Help string
	// Run does the work on the worker pool (it may block) and returns the reply.
	Run func(c *SiteContext) (code int, text string)
}

// SiteContext is what a SiteCommand sees. Valid only during Run.
type SiteContext struct {
	User   *auth.User // nil before login
	Remote netip.AddrPort
	Cwd    string // virtual current directory
	Arg    string // the text after the subcommand
	Path   string // Arg resolved to a clean virtual path (Cwd when Arg is empty)
}

func (s *Session) event(k EventKind, path string, n int64, d time.Duration, err error) {
	s.emit(Event{Kind: k, Path: path, Bytes: n, Duration: d, Err: err})
}

// emit fills in ev's time, client and user and hands it to Env.Events.
func (s *Session) emit(ev Event) {
	if s.env.Events == nil {
		return
	}
	name := ""
	if s.login.user != nil {
		name = s.login.user.Name
	} else if s.login.nameLen > 0 {
		name = s.userString()
	}
	ev.Time, ev.Remote, ev.User = time.Now(), s.conn.remote, name
	s.env.Events(ev)
}
