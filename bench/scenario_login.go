// The login storm: connect, USER/PASS, QUIT as fast as the server allows (closed loop) or
// at a target rate (open loop); sessions/s and latency per session.

package bench

import (
	"context"
	"fmt"

	"github.com/fastftp/fastftp/ftpclient"
)

type loginWorker struct {
	e *env
	c ftpclient.Conn
}

func (w *loginWorker) op(ctx context.Context) error {
	if err := w.e.d.Connect(ctx, &w.c); err != nil {
		return err
	}
	if w.e.cfg.Pipeline && w.e.cfg.TLS == ftpclient.TLSNone {
		return w.c.LoginQuit(w.e.cfg.User, w.e.cfg.Pass)
	}
	if err := w.c.Login(w.e.cfg.User, w.e.cfg.Pass); err != nil {
		w.c.Close()
		return err
	}
	return w.c.Quit()
}

func (w *loginWorker) close() { w.c.Close() }

// rawLogin returns the raw-socket engine when it can run this login storm: closed loop,
// plain FTP, no protocol log, an IP literal (or localhost) as host, and not turned off.
func (e *env) rawLogin() *rawLogin {
	c := e.cfg
	if !rawLoginAvailable || c.NetLogin || c.TLS != ftpclient.TLSNone || c.Debug != nil || c.Rate > 0 {
		return nil
	}
	l, err := newRawLogin(c)
	if err != nil {
		return nil
	}
	return l
}

func runLogin(ctx context.Context, e *env) (*Result, error) {
	r := newRunner(e.cfg, e.d, "login")
	n := e.cfg.Clients
	if l := e.rawLogin(); l != nil {
		runRawLogin(ctx, r, l, n)
	} else {
		r.drive(ctx, n, func(int) worker { return &loginWorker{e: e} })
	}
	title := fmt.Sprintf("login: %d clients (connect, login, quit)", n)
	if e.cfg.Rate > 0 {
		title = fmt.Sprintf("login: %.0f/s open loop, %d clients", e.cfg.Rate, n)
	}
	res := r.result("login", title, n, "sessions")
	res.Headline = "rate"
	return res, nil
}
