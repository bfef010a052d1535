// account_test.go: a real account made with useradd and chpasswd logs in through the
// machine's own /etc/passwd and /etc/shadow.

//go:build unix

package sysauth

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"math/big"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fastftp/fastftp/auth"
)

// realAccount creates a throw-away account (no home created by useradd: the test's
// temporary directory is the home) and deletes it in t.Cleanup. It skips where the
// machine forbids it.
func realAccount(t *testing.T, password string) (name, home string, uid, gid int) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("creating a system account needs root (running as uid " + strconv.Itoa(os.Geteuid()) + ")")
	}
	for _, tool := range []string{"useradd", "userdel", "chpasswd", "usermod"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skip(tool + " is not installed: cannot create a test account")
		}
	}
	var b [4]byte
	rand.Read(b[:])
	name = "fastftptest" + hex.EncodeToString(b[:])
	home = t.TempDir()
	for range 50 {
		n, _ := rand.Int(rand.Reader, big.NewInt(20000))
		uid = 40000 + int(n.Int64())
		if _, err := user.LookupId(strconv.Itoa(uid)); err != nil {
			break
		}
	}
	run(t, "", "useradd", "-M", "-d", home, "-u", strconv.Itoa(uid), "-s", "/bin/sh", name)
	t.Cleanup(func() {
		if out, err := exec.Command("userdel", name).CombinedOutput(); err != nil {
			t.Errorf("userdel %s: %v: %s", name, err, out)
		}
	})
	run(t, name+":"+password+"\n", "chpasswd", "-c", "SHA512")
	u, err := user.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	gid, _ = strconv.Atoi(u.Gid)
	return name, home, uid, gid
}

func run(t *testing.T, stdin, cmd string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := exec.CommandContext(ctx, cmd, args...)
	c.Stdin = strings.NewReader(stdin)
	if out, err := c.CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v: %s", cmd, args, err, out)
	}
}

func TestRealAccount(t *testing.T) {
	name, home, uid, gid := realAccount(t, "Corr3ct-Horse")
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	u, err := s.Authenticate(ctx, name, "Corr3ct-Horse", remote)
	if err != nil {
		t.Fatalf("login with the right password: %v", err)
	}
	if u.Name != name || u.Perm.String() != auth.ReadWrite {
		t.Errorf("User %+v", u)
	}
	f, err := u.FS.OpenFile("/upload.bin", os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("hello"))
	f.Close()
	if err := u.FS.Mkdir("/sub", 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"upload.bin", "sub"} {
		fi, err := os.Stat(filepath.Join(home, p))
		if err != nil {
			t.Fatal(err)
		}
		if st := fi.Sys().(*syscall.Stat_t); int(st.Uid) != uid || int(st.Gid) != gid {
			t.Errorf("%s owned by %d:%d, want the account's %d:%d", p, st.Uid, st.Gid, uid, gid)
		}
	}

	if _, err := s.Authenticate(ctx, name, "wrong", remote); err != auth.ErrBadCredentials {
		t.Errorf("wrong password: %v", err)
	}

	strict, err := New(Options{MinUID: uid + 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := strict.Authenticate(ctx, name, "Corr3ct-Horse", remote); !errors.Is(err, ErrUIDTooLow) {
		t.Errorf("uid below MinUID: %v", err)
	}

	run(t, "", "usermod", "-L", name)
	if _, err := s.Authenticate(ctx, name, "Corr3ct-Horse", remote); !errors.Is(err, ErrLocked) || !errors.Is(err, auth.ErrBadCredentials) {
		t.Errorf("locked account: %v", err)
	}
	run(t, "", "usermod", "-U", name)
	if _, err := s.Authenticate(ctx, name, "Corr3ct-Horse", remote); err != nil {
		t.Errorf("unlocked again: %v", err)
	}

	// Debian's default scheme: refused with a message that says what to do.
	c := exec.Command("chpasswd", "-c", "YESCRYPT")
	c.Stdin = strings.NewReader(name + ":Corr3ct-Horse\n")
	if out, err := c.CombinedOutput(); err != nil {
		t.Logf("this chpasswd cannot write yescrypt (%v: %s); that case is covered with fake files", err, out)
		return
	}
	_, err = s.Authenticate(ctx, name, "Corr3ct-Horse", remote)
	if !errors.Is(err, ErrUnsupportedHash) || !strings.Contains(err.Error(), "chpasswd -c SHA512") {
		t.Errorf("yescrypt account: %v", err)
	}
}
