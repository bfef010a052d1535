// `fastftpd passwd`: make a password hash for the config file.

package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/term"

	"github.com/fastftp/fastftp/auth"
)

// runPasswd reads a password (twice, without echo, on a terminal; one line otherwise) and
// prints its argon2id hash (or bcrypt with --bcrypt).
func runPasswd(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fastftpd passwd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	useBcrypt := fs.Bool("bcrypt", false, "make a bcrypt hash instead of argon2id")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var pass string
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stderr, "Password: ")
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprint(stderr, "\nAgain: ")
		b, err2 := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil || err2 != nil {
			fmt.Fprintln(stderr, "fastftpd passwd: cannot read the password")
			return 1
		}
		if string(a) != string(b) {
			fmt.Fprintln(stderr, "fastftpd passwd: the two passwords differ")
			return 1
		}
		pass = string(a)
	} else {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && line == "" {
			fmt.Fprintln(stderr, "fastftpd passwd: no password on standard input")
			return 1
		}
		pass = strings.TrimRight(line, "\r\n")
	}
	if pass == "" {
		fmt.Fprintln(stderr, "fastftpd passwd: empty password")
		return 1
	}
	var hash string
	if *useBcrypt {
		b, err := bcrypt.GenerateFromPassword([]byte(pass), bcrypt.DefaultCost)
		if err != nil {
			fmt.Fprintln(stderr, "fastftpd passwd:", err)
			return 1
		}
		hash = string(b)
	} else {
		h, err := auth.HashPassword(pass)
		if err != nil {
			fmt.Fprintln(stderr, "fastftpd passwd:", err)
			return 1
		}
		hash = h
	}
	fmt.Fprintln(stdout, hash)
	return 0
}
