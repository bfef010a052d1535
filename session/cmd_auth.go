// Login and session-level commands: USER PASS REIN QUIT PWD.

package session

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/fastftp/fastftp/auth"
	"github.com/fastftp/fastftp/proto"
	"github.com/fastftp/fastftp/reactor"
)

func (s *Session) cmdUSER(arg []byte) {
	if s.tlsRequiredForLogin() {
		return
	}
	if s.user != nil {
		s.reply(530, "Can't change to another user.")
		return
	}
	if len(arg) > maxUser {
		s.reply(501, "User name too long.")
		return
	}
	s.userLen = uint8(copy(s.userName[:], arg))
	s.gotUser = true
	s.reply(331, "Username ok, send password.")
}

func (s *Session) cmdPASS(arg []byte) {
	if s.tlsRequiredForLogin() {
		return
	}
	if s.user != nil {
		s.reply(503, "User already authenticated.")
		return
	}
	if !s.gotUser {
		s.reply(503, "Login with USER first.")
		return
	}
	name, pass := s.userString(), string(arg)
	remote := s.remote.Addr()
	a := s.env.authorizer()
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
	ug, ok := s.env.gov.join(u, s.env.MaxSessionsPerUser)
	if !ok {
		s.env.Log.Warn("login refused: too many sessions", "remote", s.remote, "user", u.Name, "max", u.Limits.MaxSessions)
		s.gotUser = false
		s.reply(530, "Too many sessions for this user; try again later.")
		return
	}
	if s.env.Bans != nil {
		s.env.Bans.Succeed(s.remote.Addr())
	}
	s.user, s.ug = u, ug
	s.authed.Store(true)
	if id := s.xr().tlsID; id != nil {
		s.env.owner.login(id, u.Name)
	}
	s.failed = 0
	s.cwd = "/"
	s.env.Log.Info("login", "remote", s.remote, "user", u.Name)
	s.event(EventLogin, "", 0, 0, nil)
	msg := u.LoginMsg
	if msg == "" {
		msg = "Login successful."
	}
	s.reply(230, msg)
}

// loginFailed answers a failed PASS after a delay that runs on a timer, not on a worker or
// the loop, so a password-guessing client slows only itself.
func (s *Session) loginFailed(err error) {
	s.failed++
	s.gotUser = false
	s.env.Log.Warn("login failed", "remote", s.remote, "user", s.userString(), "err", err)
	s.event(EventLoginFailed, "", 0, 0, err)
	last := int(s.failed) >= s.env.MaxLoginAttempts
	text := "Authentication failed."
	if !errors.Is(err, auth.ErrBadCredentials) {
		text = "Authentication service unavailable."
	}
	banned := s.env.Bans != nil && errors.Is(err, auth.ErrBadCredentials) &&
		s.env.Bans.Fail(s.remote.Addr(), time.Unix(0, s.env.now()))
	finish := func() {
		if banned {
			s.env.Log.Warn("address banned after repeated failed logins", "remote", s.remote)
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
	s.busy = true
	time.AfterFunc(d, func() {
		s.post(func() {
			s.busy = false
			finish()
			s.commandDone()
		})
	})
}

func (s *Session) cmdQUIT(_ []byte) {
	if s.xfer != nil {
		s.quitting = true // answered when the transfer ends (pyftpdlib does the same)
		return
	}
	s.goodbye()
}

func (s *Session) goodbye() {
	msg := "Goodbye."
	if s.user != nil && s.user.QuitMsg != "" {
		msg = s.user.QuitMsg
	}
	s.reply(221, msg)
	s.closeNow(reactor.ReasonClientQuit)
}

// cmdREIN ends the login and forgets what belongs to it (PASV/PORT, REST, RNFR, the user's
// own buckets), but not what belongs to the connection: on a TLS control connection its
// ticket stamp must survive, or every later PROT P data connection would fail the resume
// check with 522 (as it did). PROT and PBSZ stay as negotiated, so the session is fully
// usable after the next login.
func (s *Session) cmdREIN(_ []byte) {
	s.dropData()
	s.logout()
	s.userLen = 0
	s.gotUser = false
	s.cwd = "/"
	tlsID := s.xr().tlsID
	s.x = nil
	if tlsID != nil {
		s.ext().tlsID = tlsID
	}
	s.ascii = false
	s.epsvAll = false
	s.reply(220, "Ready for new user.")
}

func (s *Session) cmdPWD(_ []byte) {
	s.replyPath(257, s.cwd, " is the current directory.")
}

// logout releases the user's session slot.
func (s *Session) logout() {
	if s.user != nil {
		s.event(EventLogout, "", 0, 0, nil)
	}
	if s.ug != nil {
		s.env.gov.leave(s.ug)
		s.ug = nil
	}
	s.user = nil
	s.authed.Store(false)
}
