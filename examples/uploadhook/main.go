// Command uploadhook hands every received file to a slow job (here: hashing it and writing
// NAME.sha256 beside it, after a pause standing in for a virus scan or a transcode). The
// job runs on the server's hook pool: uploads, other commands and other sessions never wait
// for it (pyftpdlib's FAQ: "a long task after each upload").
//
//	go run ./examples/uploadhook -d /srv/incoming -p 2121
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"io"
	"log"
	"net"
	"path/filepath"
	"strings"
	"time"

	"github.com/fastftp/fastftp"
	"github.com/fastftp/fastftp/auth"
	"github.com/fastftp/fastftp/vfs"
)

// checksum is the slow job: it reads the uploaded file through the jailed FS and writes
// its sha256 beside it.
func checksum(fs vfs.FS, p string, delay time.Duration) error {
	time.Sleep(delay) // the slow part of a real job
	f, err := fs.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return err
	}
	out, err := fs.OpenFile(p+".sha256", vfsCreate, 0o644)
	if err != nil {
		return err
	}
	_, err = io.WriteString(out, hex.EncodeToString(h.Sum(nil))+"  "+filepath.Base(p)+"\n")
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

func newServer(dir string, delay time.Duration) (*fastftp.Server, error) {
	users := auth.NewStatic()
	if err := users.AddAnonymous(dir, auth.MustParsePerm("elrw")); err != nil {
		return nil, err
	}
	local, err := vfs.NewLocal(dir)
	if err != nil {
		return nil, err
	}
	return fastftp.New(fastftp.Config{
		Auth: users,
		Hooks: fastftp.Hooks{
			Workers: 2, // at most two jobs at once
			OnFileReceived: func(ev fastftp.Event) {
				if strings.HasSuffix(ev.Path, ".sha256") {
					return
				}
				if err := checksum(local, ev.Path, delay); err != nil {
					log.Printf("checksum %s: %v", ev.Path, err)
				}
			},
		},
	})
}

func main() {
	dir := flag.String("d", ".", "directory that receives uploads")
	addr := flag.String("p", ":2121", "address to listen on")
	flag.Parse()
	srv, err := newServer(*dir, 5*time.Second)
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	log.Print(srv.Serve(ln))
}
