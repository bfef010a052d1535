// Checksums end to end: raw HASH/OPTS HASH/X* commands, and lftp's and Python ftplib's
// pass-through of HASH (no client computes it by itself).
package e2e

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHashRaw(t *testing.T) {
	t.Parallel()
	fastftpOnly(t, "HASH (pyftpdlib has no HASH)")
	s := startServer(t)
	sum := writeRandomFile(t, filepath.Join(s.Root, "dir", "file.bin"), 14, 300<<10)
	data, err := os.ReadFile(filepath.Join(s.Root, "dir", "file.bin"))
	if err != nil {
		t.Fatal(err)
	}
	m := md5.Sum(data[10:1010])
	c := s.login(t)
	if got := c.cmd("FEAT", 211); !strings.Contains(got, " HASH SHA-256*;SHA-512;SHA-1;MD5;CRC32") {
		t.Errorf("FEAT: %q", got)
	}
	if got := c.cmd("HASH dir/file.bin", 213); got != fmt.Sprintf("213 SHA-256 0-%d %s dir/file.bin", 300<<10, sum) {
		t.Errorf("HASH: %q, want sha256 %s", got, sum)
	}
	if got := c.cmd("XSHA256 /dir/file.bin", 250); got != "250 "+sum {
		t.Errorf("XSHA256: %q, want %s", got, sum)
	}
	c.cmd("OPTS HASH MD5", 200)
	c.cmd("RANG 10 1009", 350)
	if got := c.cmd("HASH dir/file.bin", 213); got != "213 MD5 10-1009 "+hex.EncodeToString(m[:])+" dir/file.bin" {
		t.Errorf("RANG+HASH: %q", got)
	}
	if got := c.cmd("XMD5 dir/file.bin 10 1010", 250); got != "250 "+hex.EncodeToString(m[:]) {
		t.Errorf("XMD5 range: %q", got)
	}
	c.cmd("OPTS HASH WHIRLPOOL", 504)
	c.cmd("HASH dir", 550)
	c.cmd("XCRC nope", 550)
	c.cmd("NOOP", 200) // the session is still in order
}

func TestHashLftpQuote(t *testing.T) {
	t.Parallel()
	fastftpOnly(t, "HASH (pyftpdlib has no HASH)")
	s := startServer(t)
	sum := writeRandomFile(t, filepath.Join(s.Root, "f.bin"), 15, 70<<10)
	script := fmt.Sprintf("set net:max-retries 1; set net:timeout 10; set cmd:fail-exit yes; "+
		"open -u %s,%s -p %d ftp://127.0.0.1; quote HASH f.bin; quote XSHA256 f.bin", s.User, s.Pass, s.Port)
	var out bytes.Buffer
	if trace, err := runTool(t, &out, "lftp", "-c", script); err != nil {
		t.Fatalf("lftp: %v\n%s", err, tail(trace))
	}
	if !strings.Contains(out.String(), "213 SHA-256 0-71680 "+sum+" f.bin") || !strings.Contains(out.String(), "250 "+sum) {
		t.Errorf("lftp quote output: %q, want the sha256 %s", out.String(), sum)
	}
}

func TestHashFtplib(t *testing.T) {
	t.Parallel()
	fastftpOnly(t, "HASH (pyftpdlib has no HASH)")
	s := startServer(t)
	sum := writeRandomFile(t, filepath.Join(s.Root, "f.bin"), 16, 5000)
	prog := fmt.Sprintf(`import ftplib
f = ftplib.FTP()
f.connect("127.0.0.1", %d, timeout=10)
f.login(%q, %q)
print(f.sendcmd("OPTS HASH SHA-256"))
print(f.sendcmd("HASH f.bin"))
try:
    f.sendcmd("OPTS HASH NOPE")
except ftplib.error_perm as e:
    print(e)
f.quit()
`, s.Port, s.User, s.Pass)
	var out bytes.Buffer
	if trace, err := runTool(t, &out, "python3", "-c", prog); err != nil {
		t.Fatalf("python3: %v\n%s", err, tail(trace))
	}
	want := "200 SHA-256\n213 SHA-256 0-5000 " + sum + " f.bin\n504 "
	if !strings.HasPrefix(out.String(), want) {
		t.Errorf("ftplib output: %q, want prefix %q", out.String(), want)
	}
}
