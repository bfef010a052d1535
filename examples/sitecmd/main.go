// Command sitecmd adds "SITE RMTREE <dir>" (pyftpdlib's FAQ example): remove a directory
// tree in one command. It needs the delete permission ('d') on the directory and a login.
//
//	go run ./examples/sitecmd -d /srv/ftp -p 2121 -u alice -P secret
package main

import (
	"context"
	"flag"
	"log"
	"net"
	"path"

	"github.com/fastftp/fastftp"
	"github.com/fastftp/fastftp/auth"
	"github.com/fastftp/fastftp/vfs"
)

// rmtree removes p and everything below it through the user's jailed filesystem, so it
// cannot leave the user's root. It streams each directory instead of loading it whole.
func rmtree(fs vfs.FS, p string) error {
	d, err := fs.OpenDir(p)
	if err != nil {
		return err
	}
	for {
		ents, rerr := d.ReadDir(256)
		for _, e := range ents {
			child := path.Join(p, e.Name())
			if e.IsDir() {
				err = rmtree(fs, child)
			} else {
				err = fs.Remove(child)
			}
			if err != nil {
				d.Close()
				return err
			}
		}
		if rerr != nil || len(ents) == 0 {
			break
		}
	}
	d.Close()
	return fs.Rmdir(p)
}

// RMTREE is the SITE command.
var RMTREE = fastftp.SiteCommand{
	Name: "RMTREE",
	Perm: auth.PermDelete,
	Help: "<dir> (remove a directory tree)",
	Run: func(c *fastftp.SiteContext) (int, string) {
		if c.Arg == "" || c.Path == "/" {
			return 501, "Syntax: SITE RMTREE <dir> (not the root)."
		}
		if err := rmtree(c.User.FS, c.Path); err != nil {
			return 550, "Cannot remove " + c.Path + "."
		}
		return 250, "Directory tree " + c.Path + " removed."
	},
}

func newServer(dir, user, pass string) (*fastftp.Server, error) {
	users := auth.NewStatic()
	if err := users.AddUser(user, pass, dir, auth.MustParsePerm(auth.ReadWrite)); err != nil {
		return nil, err
	}
	return fastftp.New(fastftp.Config{Auth: users, SiteCommands: []fastftp.SiteCommand{RMTREE}})
}

func main() {
	dir := flag.String("d", ".", "directory to serve")
	addr := flag.String("p", ":2121", "address to listen on")
	user := flag.String("u", "user", "user name")
	pass := flag.String("P", "12345", "password")
	flag.Parse()
	srv, err := newServer(*dir, *user, *pass)
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
