package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// rawSession logs in over a plain textproto connection and returns a function that sends
// one command and returns its whole reply (all lines).
func rawSession(t *testing.T, addr, user, pass string) func(cmd string) string {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(20 * time.Second))
	c := textproto.NewConn(nc)
	if _, _, err := c.ReadResponse(220); err != nil {
		t.Fatal(err)
	}
	send := func(cmd string) string {
		if err := c.PrintfLine("%s", cmd); err != nil {
			t.Fatal(err)
		}
		code, msg, _ := c.ReadResponse(0)
		return strings.Join([]string{itoa3(code), msg}, " ")
	}
	send("USER " + user)
	if r := send("PASS " + pass); !strings.HasPrefix(r, "230") {
		t.Fatalf("login: %s", r)
	}
	return send
}

func itoa3(n int) string {
	return string([]byte{byte('0' + n/100), byte('0' + n/10%10), byte('0' + n%10)})
}

// TestHashSwitch: the checksum commands are on by default, --disable-hash and the file's
// server.disable_hash turn them off (502, no HASH in FEAT).
func TestHashSwitch(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	data := []byte(strings.Repeat("mirror ", 1000))
	if err := os.WriteFile(filepath.Join(dir, "f"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	want := hex.EncodeToString(sum[:])

	_, port, log := startBinary(t, bin, dir, "-p", "0")
	send := rawSession(t, "127.0.0.1:"+port, "anonymous", "a@b")
	if r := send("FEAT"); !strings.Contains(r, "HASH SHA-256*;SHA-512;SHA-1;MD5;CRC32") {
		t.Errorf("FEAT by default: %q", r)
	}
	if r := send("XSHA256 f"); r != "250 "+want {
		t.Errorf("XSHA256: %q, want %s", r, want)
	}
	if r := send("HASH f"); r != "213 SHA-256 0-7000 "+want+" f" {
		t.Errorf("HASH: %q", r)
	}
	if !strings.Contains(log.String(), "hash=true") {
		t.Errorf("effective configuration does not say hash=true:\n%s", log.String())
	}

	_, port, log = startBinary(t, bin, dir, "-p", "0", "--disable-hash")
	send = rawSession(t, "127.0.0.1:"+port, "anonymous", "a@b")
	if r := send("FEAT"); strings.Contains(r, "HASH") {
		t.Errorf("FEAT with --disable-hash: %q", r)
	}
	if r := send("HASH f"); !strings.HasPrefix(r, "502 ") {
		t.Errorf("HASH with --disable-hash: %q", r)
	}
	if !strings.Contains(log.String(), "hash=false") {
		t.Errorf("effective configuration does not say hash=false:\n%s", log.String())
	}

	path, home := userFile(t, bin)
	os.WriteFile(filepath.Join(home, "f"), data, 0o644)
	doc, _ := os.ReadFile(path)
	os.WriteFile(path, []byte(strings.Replace(string(doc), "[server]\n", "[server]\ndisable_hash = true\n", 1)), 0o644)
	_, port, _ = startBinary(t, bin, t.TempDir(), "-c", path, "-p", "0")
	send = rawSession(t, "127.0.0.1:"+port, "alice", "pw")
	if r := send("XMD5 f"); !strings.HasPrefix(r, "502 ") {
		t.Errorf("XMD5 with disable_hash = true: %q", r)
	}
}

func TestHashWorkersRefusesNegative(t *testing.T) {
	var out bytes.Buffer
	if code := run([]string{"--hash-workers", "-1"}, &out); code != 2 || !strings.Contains(out.String(), "--hash-workers -1") {
		t.Errorf("--hash-workers -1: exit %d, %q", code, out.String())
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "f.toml")
	os.WriteFile(path, []byte("[server]\nhash_workers = -2\n[[user]]\nname = \"a\"\npassword = \"x\"\nhome = \""+dir+"\"\n"), 0o644)
	out.Reset()
	if code := run([]string{"--config", path, "--check-config"}, &out); code != 2 || !strings.Contains(out.String(), "f.toml:2:") {
		t.Errorf("hash_workers = -2: exit %d, %q", code, out.String())
	}
}
