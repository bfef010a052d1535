package fastftp_test

import (
	"context"
	"testing"
	"time"

	"github.com/fastftp/fastftp"
)

// serveBench starts a server with cfg on 127.0.0.1:0 for a benchmark and returns it and its
// address; it is shut down when the benchmark ends.
func serveBench(b *testing.B, cfg fastftp.Config) (*fastftp.Server, string) {
	b.Helper()
	srv, err := fastftp.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	ln, err := fastftp.Listen("127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go srv.Serve(ln)
	b.Cleanup(func() {
		// b.Context() is already cancelled when cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return srv, ln.Addr().String()
}
