// MODE Z (deflate) end to end: off by default (504), lftp downloading and uploading with
// ftp:use-mode-z byte-exact, Python ftplib inflating LIST and RETR and deflating STOR by
// hand, a corrupt stream, REST offsets, the level bound and the concurrency bound.
package e2e

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fastftp/fastftp"
)

func withModeZ(max int) serverOption {
	return withConfig("MODE Z", func(c *fastftp.Config) {
		c.ModeZ, c.ModeZMax, c.ModeZMaxLevel = true, max, 9
	})
}

// writeTextFile writes size bytes of log-like text (compressible, as most mirrored text
// is) and returns them.
func writeTextFile(t testing.TB, path string, size int) []byte {
	t.Helper()
	var b bytes.Buffer
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "%06d 2026-12-06T14:%02d:%02dZ GET /pub/dist/pkg-%d.tar.xz 200 %d\n", i, i%60, i%59, i%977, i*7919%100000)
	}
	data := b.Bytes()[:size]
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return data
}

func TestModeZOffByDefault(t *testing.T) {
	t.Parallel()
	fastftpOnly(t, "MODE Z refusal text")
	s := startServer(t)
	c := s.login(t)
	c.cmd("MODE Z", 504)
	if feat := c.cmd("FEAT", 211); strings.Contains(feat, "MODE Z") {
		t.Errorf("FEAT lists MODE Z while it is off: %q", feat)
	}
	c.cmd("OPTS MODE Z LEVEL 1", 501)
	c.cmd("MODE S", 200)
}

// wireBytes finds the transfer log line for path and dir and returns its file and wire
// byte counts.
func wireBytes(t *testing.T, s *testServer, dir, name string) (file, wire int64) {
	t.Helper()
	re := regexp.MustCompile(`msg=transfer dir=` + dir + ` path=\S*` + regexp.QuoteMeta(name) + ` bytes=(\d+) .*result=complete wire=(\d+)`)
	m := re.FindStringSubmatch(s.logs.String())
	if m == nil {
		t.Fatalf("no MODE Z %s line for %s in the log", dir, name)
	}
	file, _ = strconv.ParseInt(m[1], 10, 64)
	wire, _ = strconv.ParseInt(m[2], 10, 64)
	return file, wire
}

func TestModeZLftp(t *testing.T) {
	t.Parallel()
	s := startServer(t, withModeZ(0))
	text := writeTextFile(t, filepath.Join(s.Root, "log.txt"), 3<<20)
	sum := writeRandomFile(t, filepath.Join(s.Root, "rand.bin"), 7, 1<<20)
	local := t.TempDir()
	up := filepath.Join(local, "up.txt")
	if err := os.WriteFile(up, text[:1<<20], 0o644); err != nil {
		t.Fatal(err)
	}
	lftp(t, s, fmt.Sprintf("set ftp:use-mode-z true; set ftp:mode-z-level 9; "+
		"get log.txt -o %s/log.txt; get rand.bin -o %s/rand.bin; put %s -o up.txt; cls -l",
		local, local, up))
	got, err := os.ReadFile(filepath.Join(local, "log.txt"))
	if err != nil || !bytes.Equal(got, text) {
		t.Fatalf("log.txt downloaded in MODE Z differs (%d bytes, err %v)", len(got), err)
	}
	if g := sha256File(t, filepath.Join(local, "rand.bin")); g != sum {
		t.Fatalf("rand.bin downloaded in MODE Z: sha256 %s, want %s", g, sum)
	}
	if g, w := sha256File(t, filepath.Join(s.Root, "up.txt")), sha256File(t, up); g != w {
		t.Fatalf("up.txt uploaded in MODE Z: sha256 %s, want %s", g, w)
	}
	// The bytes really were compressed on the wire, both ways.
	if file, wire := wireBytes(t, s, "send", "log.txt"); file != 3<<20 || wire <= 0 || wire > file/3 {
		t.Errorf("log.txt: %d file bytes, %d wire bytes: not compressed", file, wire)
	}
	if file, wire := wireBytes(t, s, "receive", "up.txt"); file != 1<<20 || wire <= 0 || wire > file/3 {
		t.Errorf("up.txt: %d file bytes, %d wire bytes: not compressed", file, wire)
	}
	if _, wire := wireBytes(t, s, "send", "rand.bin"); wire < 1<<20 {
		t.Errorf("rand.bin: %d wire bytes for 1 MiB of random data", wire)
	}
}

func TestModeZFtplib(t *testing.T) {
	t.Parallel()
	s := startServer(t, withModeZ(0))
	text := writeTextFile(t, filepath.Join(s.Root, "log.txt"), 200000)
	prog := fmt.Sprintf(`import ftplib, zlib, hashlib
f = ftplib.FTP()
f.connect("127.0.0.1", %d, timeout=10)
f.login(%q, %q)
def get(cmd, rest=None):
    c = f.transfercmd(cmd, rest)
    b = b""
    while True:
        d = c.recv(65536)
        if not d: break
        b += d
    c.close()
    f.voidresp()
    return b
def put(cmd, data):
    c = f.transfercmd(cmd)
    c.sendall(data)
    c.close()
    return f.getresp()
print("feat", "MODE Z" in f.sendcmd("FEAT"))
print(f.sendcmd("MODE Z"))
try:
    f.sendcmd("OPTS MODE Z LEVEL 10")
except ftplib.error_perm as e:
    print(e)
print(f.sendcmd("OPTS MODE Z LEVEL 1"))
f.voidcmd("TYPE I")
z = get("RETR log.txt")
print("retr", len(z), hashlib.sha256(zlib.decompress(z)).hexdigest())
z = get("RETR log.txt", 100000)
print("rest", hashlib.sha256(zlib.decompress(z)).hexdigest())
print("list", zlib.decompress(get("NLST")).decode().split())
data = b"abc" * 300000
print(put("STOR up.bin", zlib.compress(data, 9)))
try:
    put("STOR bad.bin", b"this is not zlib at all" * 100)
except ftplib.error_temp as e:
    print(e)
f.voidcmd("TYPE A")
try:
    f.transfercmd("RETR log.txt")
except ftplib.error_perm as e:
    print(e)
f.voidcmd("TYPE I")
print(f.sendcmd("MODE S"))
print("plain", hashlib.sha256(get("RETR up.bin")).hexdigest() == hashlib.sha256(data).hexdigest())
f.quit()
`, s.Port, s.User, s.Pass)
	var out bytes.Buffer
	if trace, err := runTool(t, &out, "python3", "-c", prog); err != nil {
		t.Fatalf("python3: %v\n%s\n%s", err, out.String(), tail(trace))
	}
	sum := sha256Hex
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []string{
		"feat True",
		"200 Transfer mode set to: Z (deflate).",
		"501 MODE Z LEVEL must be 0 to 9.",
		"200 MODE Z LEVEL set to 1.",
		"retr ",
		"rest " + sum(text[100000:]),
		"list ['log.txt']",
		"226 Transfer complete.",
		"451 Compressed data is not a valid zlib stream (MODE Z); transfer aborted.",
		"504 MODE Z file transfers need TYPE I.",
		"200 Transfer mode set to: S.",
		"plain True",
	}
	if len(lines) != len(want) {
		t.Fatalf("ftplib output:\n%s", out.String())
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d: %q, want prefix %q", i, lines[i], w)
		}
	}
	if !strings.HasSuffix(lines[4], " "+sum(text)) {
		t.Errorf("RETR in MODE Z inflated to the wrong bytes: %q", lines[4])
	}
	if !regexp.MustCompile(`msg=transfer dir=list path=/ bytes=9 .*result=complete wire=\d+`).MatchString(s.logs.String()) {
		t.Errorf("the MODE Z NLST log line does not give listing and wire bytes")
	}
	if _, err := os.Stat(filepath.Join(s.Root, "bad.bin")); err == nil {
		if b, _ := os.ReadFile(filepath.Join(s.Root, "bad.bin")); len(b) != 0 {
			t.Errorf("a corrupt MODE Z upload left %d bytes", len(b))
		}
	}
}

// TestModeZBound: with ModeZMax 1, a second compressed transfer while one runs gets 425,
// and stream-mode transfers are not counted.
func TestModeZBound(t *testing.T) {
	t.Parallel()
	s := startServer(t, withModeZ(1))
	writeRandomFile(t, filepath.Join(s.Root, "big.bin"), 3, 64<<20)
	a := s.login(t)
	a.cmd("TYPE I", 200)
	a.cmd("MODE Z", 200)
	da := a.pasv()
	a.cmd("RETR big.bin", 150) // the client does not read: the transfer stays running
	b := s.login(t)
	b.cmd("TYPE I", 200)
	b.cmd("MODE Z", 200)
	db := b.pasv()
	if text := b.cmd("RETR big.bin", 425); !strings.Contains(text, "MODE Z") {
		t.Errorf("425 without a reason: %q", text)
	}
	db.Close()
	b.cmd("MODE S", 200)
	dl := b.pasv()
	b.cmd("NLST", 150)
	listing, _ := io.ReadAll(dl)
	dl.Close()
	b.expectFor("NLST", 226)
	if !strings.Contains(string(listing), "big.bin") {
		t.Errorf("stream-mode NLST beside a MODE Z transfer: %q", listing)
	}
	a.cmd("ABOR", 426)
	a.expectFor("ABOR", 226)
	da.Close()
	// The slot is free again.
	b.cmd("MODE Z", 200)
	db = b.pasv()
	b.cmd("NLST", 150)
	db.Close()
	b.expectFor("NLST", 226, 426)
}

// TestModeZThrottledAndStalled: a MODE Z download is paced on its wire bytes (random data
// does not compress, so at least size/rate), and a client that stops reading one gets 426
// once the data timeout passes, as in stream mode.
func TestModeZThrottledAndStalled(t *testing.T) {
	t.Parallel()
	const rate = 256 << 10
	s := startServer(t, withConfig("MODE Z with limits", func(c *fastftp.Config) {
		c.ModeZ, c.WriteLimit, c.DataTimeout = true, rate, time.Second
	}))
	const size = 640 << 10
	writeRandomFile(t, filepath.Join(s.Root, "r.bin"), 9, size)
	c := s.login(t)
	c.cmd("TYPE I", 200)
	c.cmd("MODE Z", 200)
	dc := c.pasv()
	c.cmd("RETR r.bin", 150)
	start := time.Now()
	zr, err := zlib.NewReader(dc)
	var z []byte
	if err == nil {
		z, err = io.ReadAll(zr)
	}
	el := time.Since(start)
	dc.Close()
	c.expectFor("RETR r.bin", 226)
	if err != nil || len(z) != size {
		t.Fatalf("inflated %d bytes (%v), want %d", len(z), err, size)
	}
	if min := time.Duration(float64(size)/rate*float64(time.Second)) - 200*time.Millisecond; el < min {
		t.Errorf("MODE Z RETR of %d random bytes at %d B/s took %v, want at least %v", size, rate, el, min)
	}

	// Unthrottled, so the socket buffers fill at once and the stall clock runs.
	s = startServer(t, withModeZ(0), withConfig("DataTimeout", func(c *fastftp.Config) { c.DataTimeout = time.Second }))
	writeRandomFile(t, filepath.Join(s.Root, "big.bin"), 10, 64<<20)
	c = s.login(t)
	c.cmd("TYPE I", 200)
	c.cmd("MODE Z", 200)
	dc = c.pasv()
	c.cmd("RETR big.bin", 150)
	start = time.Now()
	code, text := c.expectFor("RETR big.bin (client not reading)", 426)
	if el := time.Since(start); el > 10*time.Second || !strings.Contains(text, "stalled") {
		t.Errorf("stalled MODE Z RETR: %d %q after %v", code, text, el)
	}
	dc.Close()
}

// TestModeZRestStor: REST is a file offset in MODE Z too (as proftpd): a resumed upload
// sends the compressed rest of the file, inflated at the offset.
func TestModeZRestStor(t *testing.T) {
	t.Parallel()
	s := startServer(t, withModeZ(0))
	full := writeTextFile(t, filepath.Join(t.TempDir(), "full.txt"), 300000)
	if err := os.WriteFile(filepath.Join(s.Root, "part.txt"), full[:100000], 0o644); err != nil {
		t.Fatal(err)
	}
	c := s.login(t)
	c.cmd("TYPE I", 200)
	c.cmd("MODE Z", 200)
	dc := c.pasv()
	c.cmd("REST 100000", 350)
	c.cmd("STOR part.txt", 150)
	zw := zlib.NewWriter(dc)
	zw.Write(full[100000:])
	zw.Close()
	dc.Close()
	c.expectFor("STOR part.txt", 226)
	if got, _ := os.ReadFile(filepath.Join(s.Root, "part.txt")); !bytes.Equal(got, full) {
		t.Fatalf("resumed MODE Z upload: %d bytes, want the %d of the whole file", len(got), len(full))
	}
}

// TestModeZBesideDataLoops: with the data-loop engine on, MODE Z transfers keep the
// goroutine path (the engine moves bytes unchanged) and stay byte-exact both ways.
func TestModeZBesideDataLoops(t *testing.T) {
	t.Parallel()
	s := startServer(t, withModeZ(0), withConfig("DataLoops", func(c *fastftp.Config) { c.DataLoops = 1 }))
	text := writeTextFile(t, filepath.Join(s.Root, "log.txt"), 1<<20)
	c := s.login(t)
	c.cmd("TYPE I", 200)
	c.cmd("MODE Z", 200)
	dc := c.pasv()
	c.cmd("RETR log.txt", 150)
	zr, err := zlib.NewReader(dc)
	var got []byte
	if err == nil {
		got, err = io.ReadAll(zr)
	}
	dc.Close()
	c.expectFor("RETR log.txt", 226)
	if err != nil || !bytes.Equal(got, text) {
		t.Fatalf("MODE Z RETR beside data loops: %d bytes, %v", len(got), err)
	}
	dc = c.pasv()
	c.cmd("STOR copy.txt", 150)
	zw := zlib.NewWriter(dc)
	zw.Write(text)
	zw.Close()
	dc.Close()
	c.expectFor("STOR copy.txt", 226)
	if b, _ := os.ReadFile(filepath.Join(s.Root, "copy.txt")); !bytes.Equal(b, text) {
		t.Fatalf("MODE Z STOR beside data loops: %d bytes", len(b))
	}
}
