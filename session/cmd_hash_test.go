package session

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"hash"
	"hash/crc32"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fastftp/fastftp/auth"
)

// newHashSession logs bob (read-write) or eve (list only) into a session whose root is dir.
func newHashSession(t *testing.T, dir, user string, opts ...func(*Env)) (*Session, *fakeTransport) {
	t.Helper()
	st := auth.NewStatic()
	if err := st.AddUser("bob", "secret", dir, auth.MustParsePerm(auth.ReadWrite)); err != nil {
		t.Fatal(err)
	}
	if err := st.AddUser("eve", "secret", dir, auth.MustParsePerm("el")); err != nil {
		t.Fatal(err)
	}
	s, ft := newTestSession(t, append([]func(*Env){func(e *Env) { e.Auth = st }}, opts...)...)
	if got := feed(s, ft, "USER "+user+"\r\nPASS secret\r\n"); !strings.Contains(got, "230 ") {
		t.Fatalf("login: %q", got)
	}
	return s, ft
}

func digestOf(h hash.Hash, b []byte) string {
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

func testData(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

func TestHashAlgorithms(t *testing.T) {
	dir := t.TempDir()
	data := testData(100_000)
	if err := os.WriteFile(filepath.Join(dir, "f.bin"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	s, ft := newHashSession(t, dir, "bob")
	for _, tc := range []struct {
		opts, legacy string
		h            func() hash.Hash
	}{
		{"SHA-256", "XSHA256", sha256.New},
		{"SHA-512", "XSHA512", sha512.New},
		{"SHA-1", "XSHA1", sha1.New},
		{"MD5", "XMD5", md5.New},
		{"CRC32", "XCRC", func() hash.Hash { return crc32.NewIEEE() }},
	} {
		want := digestOf(tc.h(), data)
		if got := feed(s, ft, "OPTS HASH "+strings.ToLower(tc.opts)+"\r\n"); got != "200 "+tc.opts+"\r\n" {
			t.Fatalf("OPTS HASH %s: %q", tc.opts, got)
		}
		if got := feed(s, ft, "OPTS HASH\r\n"); got != "200 "+tc.opts+"\r\n" {
			t.Fatalf("OPTS HASH (query) after %s: %q", tc.opts, got)
		}
		if got, w := feed(s, ft, "HASH f.bin\r\n"), "213 "+tc.opts+" 0-100000 "+want+" f.bin\r\n"; got != w {
			t.Errorf("HASH:\n got %q\nwant %q", got, w)
		}
		if got, w := feed(s, ft, tc.legacy+" /f.bin\r\n"), "250 "+want+"\r\n"; got != w {
			t.Errorf("%s:\n got %q\nwant %q", tc.legacy, got, w)
		}
		// Ranges: legacy "start end" is [start, end); RANG's end is inclusive.
		part := digestOf(tc.h(), data[1000:5000])
		if got, w := feed(s, ft, tc.legacy+" f.bin 1000 5000\r\n"), "250 "+part+"\r\n"; got != w {
			t.Errorf("%s range:\n got %q\nwant %q", tc.legacy, got, w)
		}
		tail := digestOf(tc.h(), data[99_000:])
		if got, w := feed(s, ft, tc.legacy+" \"f.bin\" 99000\r\n"), "250 "+tail+"\r\n"; got != w {
			t.Errorf("%s start only:\n got %q\nwant %q", tc.legacy, got, w)
		}
		got := feed(s, ft, "RANG 1000 4999\r\nHASH f.bin\r\nHASH f.bin\r\n")
		w := "350 Range set to 1000-4999; send HASH.\r\n" +
			"213 " + tc.opts + " 1000-4999 " + part + " f.bin\r\n" +
			"213 " + tc.opts + " 0-100000 " + want + " f.bin\r\n" // the range applied once
		if got != w {
			t.Errorf("RANG + HASH:\n got %q\nwant %q", got, w)
		}
	}
	// The FEAT line stars the current choice (CRC32 now).
	if got := feed(s, ft, "FEAT\r\n"); !strings.Contains(got, "\r\n HASH SHA-256;SHA-512;SHA-1;MD5;CRC32*\r\n") {
		t.Errorf("FEAT: %q", got)
	}
}

// TestHashMatchesCoreutils checks one file against sha256sum and md5sum themselves.
func TestHashMatchesCoreutils(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "c.bin"), testData(12345), 0o644); err != nil {
		t.Fatal(err)
	}
	s, ft := newHashSession(t, dir, "bob")
	for _, tool := range []struct{ cmd, verb string }{{"sha256sum", "XSHA256"}, {"md5sum", "XMD5"}} {
		out, err := exec.Command(tool.cmd, filepath.Join(dir, "c.bin")).Output()
		if err != nil {
			t.Skipf("%s: %v", tool.cmd, err)
		}
		want := strings.Fields(string(out))[0]
		if got := feed(s, ft, tool.verb+" c.bin\r\n"); got != "250 "+want+"\r\n" {
			t.Errorf("%s = %q, %s says %s", tool.verb, got, tool.cmd, want)
		}
	}
}

func TestHashErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "f"), testData(100), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "d"), 0o755); err != nil {
		t.Fatal(err)
	}
	s, ft := newHashSession(t, dir, "bob")
	for _, tc := range []struct{ in, want string }{
		{"OPTS HASH SHA-384", "504 Unknown algorithm: use SHA-256, SHA-512, SHA-1, MD5 or CRC32."},
		{"HASH d", "550 /d: not a regular file."},
		{"HASH missing", "550 /missing: No such file or directory."},
		{"XMD5 missing 0 10", "550 /missing: No such file or directory."},
		{"HASH", "501 Syntax error: command needs an argument."},
		{"XMD5 f 50 10", "501 Syntax: X<alg> <path> [<start> [<end>]], offsets in bytes."},
		{"XMD5 f 200", "554 Invalid range: beyond the end of the file."},
		{"RANG 5", "501 Syntax: RANG <start> <end> (byte offsets, end inclusive)."},
		{"RANG x 5", "501 Syntax: RANG <start> <end> (byte offsets, end inclusive)."},
		{"RANG 9 5", "501 Invalid range: start is after end."},
		{"RANG 1 0", "350 Range reset."},
	} {
		if got := feed(s, ft, tc.in+"\r\n"); got != tc.want+"\r\n" {
			t.Errorf("%s: got %q, want %q", tc.in, got, tc.want)
		}
	}
	// RANG past the end of the file: the HASH says so.
	if got := feed(s, ft, "RANG 50 100\r\nHASH f\r\n"); !strings.HasSuffix(got, "554 Invalid range: beyond the end of the file.\r\n") {
		t.Errorf("RANG beyond EOF: %q", got)
	}
	if got := feed(s, ft, "RANG 50 99\r\nHASH f\r\n"); !strings.Contains(got, "213 SHA-256 50-99 ") {
		t.Errorf("RANG to the last byte: %q", got)
	}
	// Before login.
	s2, ft2 := newTestSession(t)
	if got := feed(s2, ft2, "HASH f\r\n"); !strings.HasPrefix(got, "530 ") {
		t.Errorf("HASH before login: %q", got)
	}
	// Without the retrieve permission.
	s3, ft3 := newHashSession(t, dir, "eve")
	for _, in := range []string{"HASH f", "XCRC f", "XSHA512 f 0 10"} {
		if got := feed(s3, ft3, in+"\r\n"); got != "550 Not enough privileges.\r\n" {
			t.Errorf("%s as eve: %q", in, got)
		}
	}
}

func TestHashCache(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "f")
	data := testData(64 << 10)
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
	s, ft := newHashSession(t, dir, "bob")
	env := s.env
	want := "213 SHA-256 0-65536 " + digestOf(sha256.New(), data) + " f\r\n"
	if got := feed(s, ft, "HASH f\r\n"); got != want {
		t.Fatalf("first HASH: %q", got)
	}
	if n := env.HashBytesRead(); n != int64(len(data)) {
		t.Fatalf("first HASH read %d bytes, want %d", n, len(data))
	}
	// Again, from this and from another session: no read.
	s2, ft2 := newHashSession(t, dir, "bob")
	s2.env = env // share the Env (and its cache), as two sessions of one server do
	for range 3 {
		if got := feed(s, ft, "HASH f\r\n"); got != want {
			t.Fatalf("cached HASH: %q", got)
		}
	}
	if got := feed(s2, ft2, "HASH f\r\n"); got != want {
		t.Fatalf("cached HASH from another session: %q", got)
	}
	if n := env.HashBytesRead(); n != int64(len(data)) {
		t.Fatalf("cached HASHes read %d bytes in all, want %d (one read)", n, len(data))
	}
	// Another algorithm or range is another entry.
	feed(s, ft, "XMD5 f\r\n")
	if n := env.HashBytesRead(); n != 2*int64(len(data)) {
		t.Fatalf("XMD5 read %d bytes in all, want %d", n, 2*len(data))
	}
	// The file changes in place, same size: hashed again, new digest.
	data[100] ^= 0xff
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
	want2 := "213 SHA-256 0-65536 " + digestOf(sha256.New(), data) + " f\r\n"
	if got := feed(s, ft, "HASH f\r\n"); got != want2 {
		t.Fatalf("HASH after change: %q, want %q", got, want2)
	}
	// Even with the old mtime put back (ctime still moves).
	old := time.Now().Add(-time.Hour)
	os.Chtimes(name, old, old)
	feed(s, ft, "HASH f\r\n")
	data[200] ^= 0xff
	os.WriteFile(name, data, 0o644)
	os.Chtimes(name, old, old)
	want3 := "213 SHA-256 0-65536 " + digestOf(sha256.New(), data) + " f\r\n"
	if got := feed(s, ft, "HASH f\r\n"); got != want3 {
		t.Fatalf("HASH after change with mtime restored: %q, want %q", got, want3)
	}
	// Replaced by rename (a new inode), as rsync updates a mirror.
	data[300] ^= 0xff
	os.WriteFile(name+".tmp", data, 0o644)
	os.Rename(name+".tmp", name)
	want4 := "213 SHA-256 0-65536 " + digestOf(sha256.New(), data) + " f\r\n"
	if got := feed(s, ft, "HASH f\r\n"); got != want4 {
		t.Fatalf("HASH after rename: %q, want %q", got, want4)
	}
}

// TestHashThrottled: a digest draws from the download buckets like a RETR: 4 MiB at
// 1 MiB/s per session cannot take less than about 3 s (lower bound only: the machine
// may be slow).
func TestHashThrottled(t *testing.T) {
	if testing.Short() {
		t.Skip("takes 4 s")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "big"), testData(4<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	s, ft := newHashSession(t, dir, "bob", func(e *Env) { e.WriteLimit = 1 << 20 })
	start := time.Now()
	got := feed(s, ft, "XCRC big\r\n")
	if d := time.Since(start); d < 3*time.Second {
		t.Fatalf("4 MiB hashed in %v at 1 MiB/s", d)
	}
	if !strings.HasPrefix(got, "250 ") {
		t.Fatalf("XCRC: %q", got)
	}
}

func TestHashDisabled(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "f"), []byte("x"), 0o644)
	s, ft := newHashSession(t, dir, "bob", func(e *Env) { e.DisableHash = true })
	for _, v := range []string{"HASH f", "RANG 0 1", "XCRC f", "XMD5 f", "XSHA1 f", "XSHA256 f", "XSHA512 f"} {
		if got := feed(s, ft, v+"\r\n"); got != "502 Checksum commands are disabled on this server.\r\n" {
			t.Errorf("%s: %q", v, got)
		}
	}
	if got := feed(s, ft, "OPTS HASH SHA-1\r\n"); !strings.HasPrefix(got, "501 ") {
		t.Errorf("OPTS HASH: %q", got)
	}
	if got := feed(s, ft, "FEAT\r\nHELP\r\n"); strings.Contains(got, "HASH") || strings.Contains(got, "XMD5") {
		t.Errorf("FEAT/HELP mention the disabled commands: %q", got)
	}
	if n := s.env.HashBytesRead(); n != 0 {
		t.Errorf("read %d bytes while disabled", n)
	}
}

func TestParseLegacyRange(t *testing.T) {
	for _, tc := range []struct {
		in, name   string
		start, end int64
		ok         bool
	}{
		{"f", "f", 0, -1, true},
		{"a b", "a b", 0, -1, true},
		{"a b 10", "a b", 10, -1, true},
		{"a b 10 20", "a b", 10, 20, true},
		{"\"a 1\" 10 20", "a 1", 10, 20, true},
		{"f 20 10", "", 0, 0, false},
		{"f -1", "", 0, 0, false},
		{"1 2 3", "1", 2, 3, true},
		{"123", "123", 0, -1, true},
	} {
		name, r, ok := parseLegacyRange([]byte(tc.in))
		if ok != tc.ok || (ok && (string(name) != tc.name || r.start != tc.start || r.end != tc.end)) {
			t.Errorf("%q: %q %+v %v, want %q %d-%d %v", tc.in, name, r, ok, tc.name, tc.start, tc.end, tc.ok)
		}
	}
}

// TestHashStormOneRead: sessions asking for the same digest at once wait for one read.
func TestHashStormOneRead(t *testing.T) {
	dir := t.TempDir()
	data := testData(1 << 20)
	os.WriteFile(filepath.Join(dir, "f"), data, 0o644)
	first, _ := newHashSession(t, dir, "bob", func(e *Env) { e.HashWorkers = 4; e.WriteLimit = 2 << 20 })
	env := first.env
	want := "250 " + digestOf(sha256.New(), data) + "\r\n"
	var wg sync.WaitGroup
	for range 4 {
		ft := &fakeTransport{posted: make(chan func(), 16)}
		s := New(env, netip.MustParseAddrPort("127.0.0.1:21"), netip.MustParseAddrPort("127.0.0.1:40001"))
		s.Start(ft)
		feed(s, ft, "USER bob\r\nPASS secret\r\n")
		wg.Add(1)
		go func() { // this goroutine owns s from here on
			defer wg.Done()
			if got := feed(s, ft, "XSHA256 f\r\n"); got != want {
				t.Errorf("XSHA256 = %q", got)
			}
		}()
	}
	wg.Wait()
	if n := env.HashBytesRead(); n != int64(len(data)) {
		t.Fatalf("4 concurrent digests read %d bytes, want %d (one read)", n, len(data))
	}
}
