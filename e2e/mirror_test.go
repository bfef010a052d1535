// Mirror conveniences end to end: the per-address transfer limit with 16 Python ftplib
// clients, the welcome text through curl, the directory message through lftp, and CLNT,
// AVBL and SITE IDLE through ftplib.
package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fastftp/fastftp"
)

// TestMaxTransfersPerIP: 16 ftplib clients from 127.0.0.1 each start a RETR of a file too
// big to fit in the socket buffers, with the limit at 4. Every client waits until all 16
// have their answer before the admitted ones read, so the 4 admitted transfers are running
// while the other 12 ask. The server's STAT, sampled by a 17th connection until all
// clients are done, never shows more than 4; the 12 refused get 425 with the reason; the 4
// admitted get every byte. The count is back to 0 afterwards.
func TestMaxTransfersPerIP(t *testing.T) {
	t.Parallel()
	fastftpOnly(t, "MaxTransfersPerIP")
	s := startServer(t, withConfig("per-address transfer limit", func(c *fastftp.Config) { c.MaxTransfersPerIP = 4 }))
	const size = 24 << 20
	sum := writeRandomFile(t, filepath.Join(s.Root, "big.bin"), 14, size)
	prog := fmt.Sprintf(`import ftplib, hashlib, json, re, threading, time
N = 16
barrier = threading.Barrier(N + 1, timeout=30)
results = [None] * N
def worker(i):
    f = ftplib.FTP()
    f.connect("127.0.0.1", %d, timeout=20)
    f.login(%q, %q)
    try:
        conn = f.transfercmd("RETR big.bin")
    except ftplib.error_temp as e:
        results[i] = {"refused": str(e)}
        barrier.wait()
        f.quit()
        return
    barrier.wait()
    h = hashlib.sha256()
    n = 0
    while True:
        b = conn.recv(1 << 20)
        if not b:
            break
        h.update(b)
        n += len(b)
    conn.close()
    results[i] = {"sha256": h.hexdigest(), "bytes": n, "end": f.voidresp()}
    f.quit()
obs = ftplib.FTP()
obs.connect("127.0.0.1", %d, timeout=20)
obs.login(%q, %q)
def running():
    m = re.search(r"File transfers from your address: (\d+) of at most (\d+)", obs.sendcmd("STAT"))
    return int(m.group(1))
threads = [threading.Thread(target=worker, args=(i,)) for i in range(N)]
for t in threads:
    t.start()
barrier.wait()
held = running()
peak = held
deadline = time.time() + 60
while any(t.is_alive() for t in threads) and time.time() < deadline:
    peak = max(peak, running())
    time.sleep(0.005)
for t in threads:
    t.join(5)
print(json.dumps({"held": held, "peak": peak, "after": running(), "results": results}))
obs.quit()
`, s.Port, s.User, s.Pass, s.Port, s.User, s.Pass)
	var out bytes.Buffer
	if trace, err := runTool(t, &out, "python3", "-c", prog); err != nil {
		t.Fatalf("python3: %v\n%s", err, tail(trace))
	}
	var got struct {
		Held, Peak, After int
		Results           []struct {
			Refused, SHA256, End string
			Bytes                int64
		}
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("ftplib output %q: %v", out.String(), err)
	}
	if got.Held != 4 || got.Peak > 4 || got.After != 0 {
		t.Errorf("STAT counted %d transfers while held, %d at most, %d after; want 4, <= 4, 0", got.Held, got.Peak, got.After)
	}
	var admitted, refused int
	for i, r := range got.Results {
		switch {
		case r.Refused != "":
			refused++
			if !strings.HasPrefix(r.Refused, "425 Too many transfers from your address (at most 4 at once)") {
				t.Errorf("client %d refused with %q", i, r.Refused)
			}
		case r.SHA256 == sum && r.Bytes == size && strings.HasPrefix(r.End, "226 "):
			admitted++
		default:
			t.Errorf("client %d: %d bytes, sha256 %s, end %q; want %d bytes, %s, 226", i, r.Bytes, r.SHA256, r.End, size, sum)
		}
	}
	if admitted != 4 || refused != 12 {
		t.Errorf("%d admitted, %d refused; want 4 and 12", admitted, refused)
	}
	if n := s.srv.TransfersFrom(netip.MustParseAddr("127.0.0.1")); n != 0 {
		t.Errorf("server still counts %d transfers from 127.0.0.1", n)
	}
}

// TestMaxTransfersPerIPReleased: a slot comes back however the transfer ends: ABOR, the
// client closing the data connection, and the client vanishing with its control
// connection; a refused RETR leaves the session usable once a slot is free.
func TestMaxTransfersPerIPReleased(t *testing.T) {
	t.Parallel()
	fastftpOnly(t, "MaxTransfersPerIP")
	s := startServer(t, withConfig("per-address transfer limit", func(c *fastftp.Config) { c.MaxTransfersPerIP = 1 }))
	writeRandomFile(t, filepath.Join(s.Root, "big.bin"), 15, 24<<20)
	lo := netip.MustParseAddr("127.0.0.1")
	waitCount := func(what string, want int) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for s.srv.TransfersFrom(lo) != want {
			if time.Now().After(deadline) {
				t.Fatalf("%s: %d transfers counted, want %d", what, s.srv.TransfersFrom(lo), want)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	holder := s.login(t)
	other := s.login(t)

	// ABOR.
	d := holder.pasv()
	holder.cmd("RETR big.bin", 150)
	waitCount("running", 1)
	od := other.pasv()
	if text := other.cmd("RETR big.bin", 425); !strings.Contains(text, "Too many transfers from your address") {
		t.Errorf("refusal: %q", text)
	}
	od.Close()
	holder.send("ABOR")
	holder.expectFor("ABOR", 426, 226)
	holder.expectFor("ABOR", 226)
	d.Close()
	waitCount("after ABOR", 0)

	// The refused session, now admitted, its client closing the data connection early.
	od = other.pasv()
	other.cmd("RETR big.bin", 150)
	waitCount("second", 1)
	od.Close()
	other.expectFor("RETR with the data connection closed", 426, 451)
	waitCount("after the client closed the data connection", 0)

	// A client that vanishes mid-transfer.
	gone := s.login(t)
	gd := gone.pasv()
	gone.cmd("RETR big.bin", 150)
	waitCount("third", 1)
	gone.c.Close()
	gd.Close()
	waitCount("after the client vanished", 0)
}

// TestWelcomeCurl: curl -v shows the welcome text in the 230 reply.
func TestWelcomeCurl(t *testing.T) {
	t.Parallel()
	fastftpOnly(t, "welcome text")
	s := startServer(t, withConfig("welcome", func(c *fastftp.Config) { c.Welcome = "Welcome to the mirror.\r\n230 not the end\n" }))
	if err := os.WriteFile(filepath.Join(s.Root, "f.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	trace := curl(t, nil, "-v", "--user", s.User+":"+s.Pass, s.url("/f.txt"))
	if !strings.Contains(trace, "230-Welcome:") || !strings.Contains(trace, " Welcome to the mirror.") ||
		!strings.Contains(trace, " 230 not the end") || !strings.Contains(trace, "< 230 Login successful.") {
		t.Errorf("curl -v does not show the welcome text:\n%s", tail(trace))
	}
}

// TestDirMessageLftp: lftp shows the directory's .message after cd (its reply to CWD).
func TestDirMessageLftp(t *testing.T) {
	t.Parallel()
	fastftpOnly(t, "directory messages")
	s := startServer(t, withConfig("dirmessage", func(c *fastftp.Config) { c.DirMessage = ".message" }))
	if err := os.MkdirAll(filepath.Join(s.Root, "pub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.Root, "pub", ".message"), []byte("This is pub.\n250 forged\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	script := fmt.Sprintf("set net:max-retries 1; set net:timeout 10; set cmd:fail-exit yes; debug 3; "+
		"open -u %s,%s -p %d ftp://127.0.0.1; cd pub; pwd", s.User, s.Pass, s.Port)
	var out bytes.Buffer
	trace, err := runTool(t, &out, "lftp", "-c", script)
	if err != nil {
		t.Fatalf("lftp: %v\n%s", err, tail(trace))
	}
	all := trace + out.String()
	if !strings.Contains(all, "This is pub.") || !strings.Contains(all, "250 \"/pub\" is the current directory.") {
		t.Errorf("lftp output lacks the message:\n%s", tail(all))
	}
	if strings.Contains(all, "<--- 250 forged") {
		t.Errorf("a message line was read as a reply end:\n%s", tail(all))
	}
}

// TestMirrorCommandsFtplib: CLNT, AVBL and SITE IDLE through Python's ftplib.
func TestMirrorCommandsFtplib(t *testing.T) {
	t.Parallel()
	fastftpOnly(t, "CLNT, AVBL, SITE IDLE")
	s := startServer(t)
	prog := fmt.Sprintf(`import ftplib
f = ftplib.FTP()
f.connect("127.0.0.1", %d, timeout=10)
print(f.sendcmd("CLNT ftplib-test"))
f.login(%q, %q)
print(f.sendcmd("AVBL"))
print(f.sendcmd("SITE IDLE 45"))
print(f.sendcmd("SITE IDLE"))
f.quit()
`, s.Port, s.User, s.Pass)
	var out bytes.Buffer
	if trace, err := runTool(t, &out, "python3", "-c", prog); err != nil {
		t.Fatalf("python3: %v\n%s", err, tail(trace))
	}
	ls := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(ls) != 4 || ls[0] != "200 Noted." || !strings.HasPrefix(ls[1], "213 ") ||
		ls[2] != "200 Idle timeout set to 45 seconds." || ls[3] != "200 Current idle timeout is 45 seconds; the maximum is 60 seconds." {
		t.Errorf("ftplib output: %q", ls)
	}
	if !strings.Contains(s.logs.String(), "name=ftplib-test") {
		t.Errorf("CLNT not logged")
	}
}

// TestMaxTransfersPerIPLftpPget: lftp's segmented download with 16 segments, against a
// limit of 4 and a per-session rate that keeps the segments running side by side. The
// server's count, sampled every millisecond during the run, never passes 4; lftp retries
// the refused segments and the file arrives whole.
func TestMaxTransfersPerIPLftpPget(t *testing.T) {
	t.Parallel()
	fastftpOnly(t, "MaxTransfersPerIP")
	s := startServer(t, withConfig("per-address transfer limit", func(c *fastftp.Config) {
		c.MaxTransfersPerIP = 4
		c.WriteLimit = 8 << 20
	}))
	want := writeRandomFile(t, filepath.Join(s.Root, "big.bin"), 16, 32<<20)
	lo := netip.MustParseAddr("127.0.0.1")
	stop := make(chan struct{})
	peak := make(chan int)
	go func() {
		top := 0
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				peak <- top
				return
			case <-tick.C:
				top = max(top, s.srv.TransfersFrom(lo))
			}
		}
	}()
	dl := t.TempDir()
	lftp(t, s, "set net:max-retries 20; set net:reconnect-interval-base 1; set net:reconnect-interval-max 1; lcd "+dl+"; pget -n 16 big.bin")
	close(stop)
	top := <-peak
	t.Logf("peak %d transfers at once; %d refused", top, strings.Count(s.logs.String(), "transfer refused: too many"))
	if top > 4 || top == 0 {
		t.Errorf("the server counted up to %d transfers from 127.0.0.1 at once; want 1 to 4", top)
	}
	if got := sha256File(t, filepath.Join(dl, "big.bin")); got != want {
		t.Errorf("pget -n 16: sha256 %s, want %s", got, want)
	}
	if !strings.Contains(s.logs.String(), "transfer refused: too many from this address") {
		t.Log("lftp opened no more than 4 segments at once: nothing was refused")
	}
}
