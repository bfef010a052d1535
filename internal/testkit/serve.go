// An in-process server on 127.0.0.1:0 for the test's lifetime.

package testkit

import (
	"context"
	"net"
	"testing"
	"time"
)

// Server is what Serve runs; *fastftp.Server is one. (An interface, so that this package
// does not link the server into the tests of bench/, which measures every server alike.)
type Server interface {
	Serve(net.Listener) error
	Shutdown(context.Context) error
}

// Listen returns a listener on 127.0.0.1:0; t.Cleanup closes it.
func Listen(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

// Serve runs srv on a listener on 127.0.0.1:0 and returns its address; when the test ends
// t.Cleanup shuts srv down, waiting at most 5 s for its sessions.
func Serve(t testing.TB, srv Server) string {
	t.Helper()
	ln := Listen(t)
	go srv.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return ln.Addr().String()
}
