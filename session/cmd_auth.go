// Login and session-level commands: USER PASS REIN QUIT PWD.

package session

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/fastftp/fastftp/auth"
	"github.com/fastftp/fastftp/proto"
	"github.com/fastftp/fastftp/reactor"
)

func (s *Session) cmdUSER(arg []byte) {
	if s.tlsRequiredForLogin() || s.hostRefusesLogin() {
		return
	}
	if s.login.user != nil {
		s.reply(530, "Can't change to another user.")
		return
	}
	if len(arg) > maxUser {
		s.reply(501, "User name too long.")
		return
	}
	s.login.nameLen = uint8(copy(s.login.name[:], arg))
	s.login.gotUser = true
	s.reply(331, "Username ok, send password.")
}

func (s *Session) cmdPASS(arg []byte) {
	if s.tlsRequiredForLogin() || s.hostRefusesLogin() {
		return
	}
	if s.login.user != nil {
		s.reply(503, "User already authenticated.")
		return
	}
	if !s.login.gotUser {
		s.reply(503, "Login with USER first.")
		return
	}
	name, pass := s.userString(), string(arg)
	remote := s.conn.remote.Addr()
	a := s.authorizer() // the virtual host's users (vhost.go); its removal was checked above
	if a == nil {
		s.hostRefusesLogin()
		return
	}
	if q, ok := a.(auth.QuickAuthorizer); ok {
		if u, err, done := q.TryAuthenticate(name, pass, remote); done {
			if err == nil {
				s.loginOK(u)
			} else {
				s.loginFailed(err)
			}
			return
		}
	}
	s.async(func() func() {
		u, err := a.Authenticate(context.Background(), name, pass, remote)
		if err == nil {
			return func() { s.loginOK(u) }
		}
		return func() { s.loginFailed(err) }
	})
}

func (s *Session) loginOK(u *auth.User) {
	ug, ok := s.env.gov.join(s.govKey(u), u, s.env.MaxSessionsPerUser, s.hostLive())
	if !ok {
		s.env.Log.Warn("login refused: too many sessions", "remote", s.conn.remote, "user", u.Name, "max", u.Limits.MaxSessions)
		s.login.gotUser = false
		s.reply(530, "Too many sessions for this user; try again later.")
		return
	}
	if !s.hostJoin() {
		s.env.gov.leave(ug)
		if s.hostRefusesLogin() { // a reload removed the host while the password was checked
			s.login.gotUser = false
			return
		}
		s.env.Log.Warn("login refused: too many sessions on this host", "remote", s.conn.remote, "user", u.Name, "host", s.hostName())
		s.login.gotUser = false
		s.reply(530, "Too many sessions on this host; try again later.")
		return
	}
	if s.env.Bans != nil {
		s.env.Bans.Succeed(s.conn.remote.Addr())
	}
	s.login.user, s.login.gov = u, ug
	s.conn.watch(watchLoggedIn, true)
	if c := s.conn.tls; c != nil {
		s.env.owner.login(c.stamp, u.Name)
	}
	s.conn.failed = 0
	s.login.cwd = "/"
	s.env.Log.LogAttrs(context.Background(), slog.LevelInfo, "login", s.logRemote(),
		slog.String("user", u.Name), s.hostAttr())
	s.event(EventLogin, "", 0, 0, nil)
	msg := u.LoginMsg
	if msg == "" {
		msg = "Login successful."
	}
	s.noticeStart(230, "Welcome:", s.env.notices.Load().welcome)
	s.reply(230, msg)
}

// loginFailed answers a failed PASS after a delay that runs on a timer, not on a worker or
// the loop, so a password-guessing client slows only itself.
func (s *Session) loginFailed(err error) {
	s.conn.failed++
	s.login.gotUser = false
	s.env.Log.Warn("login failed", "remote", s.conn.remote, "user", s.userString(), "err", err)
	s.event(EventLoginFailed, "", 0, 0, err)
	last := int(s.conn.failed) >= s.env.MaxLoginAttempts
	text := "Authentication failed."
	if !errors.Is(err, auth.ErrBadCredentials) {
		text = "Authentication service unavailable."
	}
	banned := s.env.Bans != nil && errors.Is(err, auth.ErrBadCredentials) &&
		s.env.Bans.Fail(s.conn.remote.Addr(), time.Unix(0, s.env.now()))
	finish := func() {
		if banned {
			s.env.Log.Warn("address banned after repeated failed logins", "remote", s.conn.remote)
			o := s.t.Out()
			*o = proto.AppendReply(*o, 421, "Too many failed logins from your address; try again later.")
			s.closeNow(reactor.ReasonLoginAttempts)
			return
		}
		if last {
			o := s.t.Out()
			*o = proto.AppendReply(*o, 530, "Maximum login attempts. Disconnecting.")
			s.closeNow(reactor.ReasonLoginAttempts)
			return
		}
		s.reply(530, text)
	}
	d := s.env.FailedLoginDelay
	if d == 0 {
		d = time.Second + rand.N(2*time.Second)
	}
	if d < 0 {
		finish()
		return
	}
	s.current.busy = true
	time.AfterFunc(d, func() {
		s.post(func() {
			s.current.busy = false
			finish()
			s.commandDone()
		})
	})
}

func (s *Session) cmdQUIT(_ []byte) {
	if s.running() != nil {
		s.current.quitting = true // answered when the transfer ends (pyftpdlib does the same)
		return
	}
	s.goodbye()
}

func (s *Session) goodbye() {
	msg := "Goodbye."
	if s.login.user != nil && s.login.user.QuitMsg != "" {
		msg = s.login.user.QuitMsg
	}
	s.reply(221, msg)
	s.closeNow(reactor.ReasonClientQuit)
}

// cmdREIN ends the login: it releases what the login holds (a PASV listener, the user's
// session slot) and replaces the login state whole, so everything that belongs to a login
// (user, cwd, TYPE, EPSV ALL, OPTS MLST and HASH, PASV/PORT, REST, RNFR, RANG) is back to its
// default by construction. What belongs to the connection stays: on a TLS control
// connection the ticket stamp must survive, or every later PROT P data connection would fail
// the resume check with 522 (as it did when REIN reset one bag of state); PROT and PBSZ stay
// as negotiated, and so does the failed-login count.
func (s *Session) cmdREIN(_ []byte) {
	s.dropData()
	s.logout()
	s.login = newLogin()
	s.conn.zmode = 0
	s.conn.setIdle(0) // SITE IDLE was the last user's choice
	s.reinHost()
	s.reply(220, "Ready for new user.")
}

func (s *Session) cmdPWD(_ []byte) {
	s.replyPath(257, s.login.cwd, " is the current directory.")
}

// logout releases the user's session slot.
func (s *Session) logout() {
	if s.login.user != nil {
		s.event(EventLogout, "", 0, 0, nil)
		s.hostLeave()
	}
	if s.login.gov != nil {
		s.env.gov.leave(s.login.gov)
		s.login.gov = nil
	}
	s.login.user = nil
	s.conn.watch(watchLoggedIn, false)
}
