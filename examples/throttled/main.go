// Command throttled serves a directory with bandwidth caps: each session may download at
// 512 KiB/s and upload at 256 KiB/s, all sessions together at most 2 MiB/s, and the user
// "guest" gets a tighter 128 KiB/s for downloads across all of its sessions.
//
//	go run ./examples/throttled -d /srv/ftp -p 2121
package main

import (
	"context"
	"flag"
	"log"
	"net"
	"os"
	"os/signal"

	"github.com/fastftp/fastftp"
	"github.com/fastftp/fastftp/auth"
)

// newServer builds the throttled server for dir; separate from main so the test runs it.
func newServer(dir string) (*fastftp.Server, error) {
	users := auth.NewStatic()
	if err := users.AddUser("guest", "guest", dir, auth.MustParsePerm(auth.ReadWrite)); err != nil {
		return nil, err
	}
	if err := users.SetLimits("guest", auth.Limits{WriteBytesPerSec: 128 << 10, MaxSessions: 4}); err != nil {
		return nil, err
	}
	if err := users.AddAnonymous(dir, auth.MustParsePerm(auth.ReadOnly)); err != nil {
		return nil, err
	}
	return fastftp.New(fastftp.Config{
		Auth:             users,
		WriteLimit:       512 << 10, // per session, downloads
		ReadLimit:        256 << 10, // per session, uploads
		GlobalWriteLimit: 2 << 20,   // every session together
	})
}

func main() {
	dir := flag.String("d", ".", "directory to serve")
	addr := flag.String("p", ":2121", "address to listen on")
	flag.Parse()
	srv, err := newServer(*dir)
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go func() { <-ctx.Done(); srv.Shutdown(context.Background()) }()
	log.Print(srv.Serve(ln))
}
