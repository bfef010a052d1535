package fastftp_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jlaffaye/ftp"

	"github.com/fastftp/fastftp"
	"github.com/fastftp/fastftp/auth"
	"github.com/fastftp/fastftp/internal/testkit"
)

// recorder collects events per kind.
type recorder struct {
	mu     sync.Mutex
	events []fastftp.Event
}

func (r *recorder) add(ev fastftp.Event) {
	r.mu.Lock()
	r.events = append(r.events, ev)
	r.mu.Unlock()
}

// wait returns the events of kind k once there are n of them (or fails after 5 s).
func (r *recorder) wait(t *testing.T, k fastftp.EventKind, n int) []fastftp.Event {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		r.mu.Lock()
		var got []fastftp.Event
		for _, ev := range r.events {
			if ev.Kind == k {
				got = append(got, ev)
			}
		}
		r.mu.Unlock()
		if len(got) >= n || time.Now().After(deadline) {
			if len(got) != n {
				t.Fatalf("%v events: got %d, want %d", k, len(got), n)
			}
			return got
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func allHooks(r *recorder) fastftp.Hooks {
	return fastftp.Hooks{OnConnect: r.add, OnDisconnect: r.add, OnLogin: r.add, OnLoginFailed: r.add,
		OnLogout: r.add, OnFileSent: r.add, OnFileReceived: r.add, OnIncompleteFileSent: r.add,
		OnIncompleteFileReceived: r.add}
}

func TestHooksFireOnceWithFacts(t *testing.T) {
	rec := &recorder{}
	addr, dir, _ := startServer(t, fastftp.Config{Hooks: allHooks(rec), WriteLimit: 64 << 10})
	writeRandom(t, filepath.Join(dir, "small.bin"), 1000)
	writeRandom(t, filepath.Join(dir, "slow.bin"), 1<<20)

	c, err := ftp.Dial(addr, ftp.DialWithTimeout(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login("alice", "wrong"); err == nil {
		t.Fatal("wrong password accepted")
	}
	if err := c.Login("alice", "pw"); err != nil {
		t.Fatal(err)
	}
	if err := c.Stor("up.txt", strings.NewReader("12345")); err != nil {
		t.Fatal(err)
	}
	r, err := c.Retr("small.bin")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, r)
	r.Close()
	// A download cut short: read a little of a throttled file and drop the data connection.
	r, err = c.Retr("slow.bin")
	if err != nil {
		t.Fatal(err)
	}
	io.ReadFull(r, make([]byte, 100))
	r.Close()
	c.Quit()

	// An upload aborted with ABOR.
	raw := testkit.Greeted(t, addr)
	raw.Login("bob", "pw")
	d := raw.EPSV()
	raw.Cmd("STOR partial.bin", 150)
	d.Write(bytes.Repeat([]byte("x"), 1000))
	time.Sleep(100 * time.Millisecond)
	raw.Cmd("ABOR", 426)
	raw.Expect(226)
	d.Close()
	raw.Cmd("QUIT", 221)

	conn := rec.wait(t, fastftp.EventConnect, 2)
	if conn[0].Remote.Addr().String() != "127.0.0.1" {
		t.Errorf("connect remote = %v", conn[0].Remote)
	}
	if f := rec.wait(t, fastftp.EventLoginFailed, 1); f[0].User != "alice" || f[0].Err == nil {
		t.Errorf("login failed event = %+v", f[0])
	}
	if l := rec.wait(t, fastftp.EventLogin, 2); l[0].User != "alice" || l[1].User != "bob" {
		t.Errorf("login events = %+v", l)
	}
	if ev := rec.wait(t, fastftp.EventFileReceived, 1)[0]; ev.Path != "/up.txt" || ev.Bytes != 5 || ev.User != "alice" {
		t.Errorf("file received = %+v", ev)
	}
	if ev := rec.wait(t, fastftp.EventFileSent, 1)[0]; ev.Path != "/small.bin" || ev.Bytes != 1000 {
		t.Errorf("file sent = %+v", ev)
	}
	if ev := rec.wait(t, fastftp.EventIncompleteFileSent, 1)[0]; ev.Path != "/slow.bin" || ev.Bytes >= 1<<20 || ev.Err == nil {
		t.Errorf("incomplete file sent = %+v", ev)
	}
	if ev := rec.wait(t, fastftp.EventIncompleteFileReceived, 1)[0]; ev.Path != "/partial.bin" || ev.User != "bob" || ev.Err == nil {
		t.Errorf("incomplete file received = %+v", ev)
	}
	rec.wait(t, fastftp.EventLogout, 2)
	rec.wait(t, fastftp.EventDisconnect, 2)
}

// TestSleepingHookDelaysNobody: pyftpdlib's FAQ case, a long job after each upload. The
// uploading session and other sessions go on at full speed while the hook sleeps.
func TestSleepingHookDelaysNobody(t *testing.T) {
	started := make(chan struct{}, 4)
	slept := make(chan struct{}, 4)
	hooks := fastftp.Hooks{OnFileReceived: func(fastftp.Event) {
		started <- struct{}{}
		time.Sleep(3 * time.Second)
		slept <- struct{}{}
	}}
	addr, _, _ := startServer(t, fastftp.Config{Hooks: hooks})
	c := login(t, addr, "alice")
	if err := c.Stor("a.txt", strings.NewReader("a")); err != nil {
		t.Fatal(err)
	}
	<-started
	t0 := time.Now()
	if err := c.NoOp(); err != nil {
		t.Fatal(err)
	}
	if err := c.Stor("b.txt", strings.NewReader("b")); err != nil {
		t.Fatal(err)
	}
	other := login(t, addr, "bob")
	if _, err := other.List("/"); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(t0); d > time.Second {
		t.Fatalf("commands took %v while a hook slept; want well under 1 s", d)
	}
	select {
	case <-slept:
		t.Fatal("the hook finished before the other commands: it did not sleep concurrently")
	default:
	}
}

func TestCustomSiteCommand(t *testing.T) {
	var mu sync.Mutex
	var seen *fastftp.SiteContext
	rmtree := fastftp.SiteCommand{
		Name: "rmtree",
		Perm: auth.PermDelete,
		Help: "<path> (remove a directory tree)",
		Run: func(c *fastftp.SiteContext) (int, string) {
			mu.Lock()
			seen = c
			mu.Unlock()
			if c.Path == "/" {
				return 550, "Refusing to remove the root."
			}
			if err := removeTree(c.User, c.Path); err != nil {
				return 550, "Cannot remove " + c.Path + "."
			}
			return 250, "Tree removed."
		},
	}
	addr, dir, _ := startServer(t, fastftp.Config{SiteCommands: []fastftp.SiteCommand{rmtree}})
	os.MkdirAll(filepath.Join(dir, "tree", "a", "b"), 0o755)
	os.WriteFile(filepath.Join(dir, "tree", "a", "b", "f"), []byte("x"), 0o644)

	raw := testkit.Greeted(t, addr)
	help := raw.Cmd("SITE HELP", 214)
	if !strings.Contains(help, "RMTREE <path> (remove a directory tree)") {
		t.Fatalf("SITE HELP does not list RMTREE:\n%s", help)
	}
	raw.Cmd("SITE RMTREE tree", 530)
	raw.Login("alice", "pw")
	raw.Cmd("CWD /tree", 250)
	if text := raw.Cmd("SITE rmtree a", 250); !strings.HasPrefix(text, "250 Tree removed.") {
		t.Fatalf("SITE rmtree: %q, want 250 Tree removed.", text)
	}
	if _, err := os.Stat(filepath.Join(dir, "tree", "a")); err == nil {
		t.Fatal("SITE RMTREE did not remove the tree")
	}
	mu.Lock()
	if seen.Path != "/tree/a" || seen.Cwd != "/tree" || seen.Arg != "a" || seen.User.Name != "alice" {
		t.Errorf("SiteContext = %+v", seen)
	}
	mu.Unlock()
	raw.Cmd("SITE NOSUCH x", 500)
}

// removeTree deletes a directory tree through the user's jailed filesystem.
func removeTree(u *auth.User, p string) error {
	d, err := u.FS.OpenDir(p)
	if err != nil {
		return err
	}
	ents, _ := d.ReadDir(-1)
	d.Close()
	for _, e := range ents {
		child := p + "/" + e.Name()
		if e.IsDir() {
			if err := removeTree(u, child); err != nil {
				return err
			}
		} else if err := u.FS.Remove(child); err != nil {
			return err
		}
	}
	return u.FS.Rmdir(p)
}

// TestClientLeavesDuringTransfer: the control connection closes while a download and an
// upload are still moving; the transfers finish in the background and the server (and its
// hooks) keep working. This once crashed the whole server: the transfer goroutine read the
// session's user after the loop had logged it out.
func TestClientLeavesDuringTransfer(t *testing.T) {
	rec := &recorder{}
	addr, dir, _ := startServer(t, fastftp.Config{Hooks: allHooks(rec)})
	writeRandom(t, filepath.Join(dir, "big.bin"), 8<<20)

	down := testkit.Greeted(t, addr)
	down.Login("alice", "pw")
	d := down.EPSV()
	down.Cmd("RETR big.bin", 150)
	io.ReadFull(d, make([]byte, 4096))
	down.Conn.Close() // leave while the download is still moving
	io.Copy(io.Discard, d)
	d.Close()

	up := testkit.Greeted(t, addr)
	up.Login("bob", "pw")
	u := up.EPSV()
	up.Cmd("STOR left.bin", 150)
	u.Write(bytes.Repeat([]byte("y"), 100000))
	up.Conn.Close() // leave, then finish the upload
	u.Write(bytes.Repeat([]byte("z"), 100000))
	u.Close()

	// Closing the control connection cancels its transfer (as in vsftpd and pyftpdlib), so
	// each ends complete or, usually, incomplete: exactly one event each, naming the user.
	for _, tc := range []struct {
		user                 string
		complete, incomplete fastftp.EventKind
	}{
		{"alice", fastftp.EventFileSent, fastftp.EventIncompleteFileSent},
		{"bob", fastftp.EventFileReceived, fastftp.EventIncompleteFileReceived},
	} {
		var got []fastftp.Event
		deadline := time.Now().Add(15 * time.Second) // generous: a loaded CI machine; the loop ends at the first event
		for len(got) == 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
			rec.mu.Lock()
			got = got[:0]
			for _, ev := range rec.events {
				if ev.Kind == tc.complete || ev.Kind == tc.incomplete {
					got = append(got, ev)
				}
			}
			rec.mu.Unlock()
		}
		if len(got) != 1 || got[0].User != tc.user {
			t.Errorf("%s's transfer after the client left: events %+v, want one naming %s", tc.user, got, tc.user)
		}
	}
	login(t, addr, "alice") // the server is still there
}
