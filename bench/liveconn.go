// liveConn: a worker's control connection, opened on first use and again after a failure.

package bench

import (
	"context"

	"github.com/fastftp/fastftp/ftpclient"
)

// liveConn is embedded by the scenario workers that keep one logged-in control connection
// across operations. An operation that fails closes c and clears live; the next prepare
// reconnects.
type liveConn struct {
	c    ftpclient.Conn
	live bool
}

// ensure connects and logs in unless the connection is already live.
func (l *liveConn) ensure(ctx context.Context, e *env) error {
	if l.live {
		return nil
	}
	if err := e.d.Connect(ctx, &l.c); err != nil {
		return err
	}
	if err := e.login(&l.c); err != nil {
		l.c.Close()
		return err
	}
	l.live = true
	return nil
}
