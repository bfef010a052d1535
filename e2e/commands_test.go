// Command-level behaviour over a raw control connection: login, navigation, file management,
// SIZE/MDTM/MFMT/MLST, FEAT/OPTS, STAT, HELP/SITE, TYPE A conversion, REST, APPE, STOU,
// ABOR, EPSV ALL, pipelining and permissions. Expected codes follow RFC 959/2428/3659 and
// pyftpdlib.
package e2e

import (
	"bytes"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestLogin(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := s.dial(t)
	c.cmd("PWD", 530)             // nothing but login commands before login
	c.cmd("PASS "+testPass, 503)  // PASS before USER
	c.cmd("USER "+testUser, 331)  // RFC 959: need password
	c.cmd("PASS wrong-pass", 530) // bad password
	c.cmd("USER nosuchuser", 331) // unknown users are not revealed at USER
	c.cmd("PASS "+testPass, 530)  // ...but fail at PASS
	c.cmd("USER "+testUser, 331)
	c.cmd("PASS "+testPass, 230) // logged in
	c.cmd("PWD", 257)            // and commands work
	c.cmd("QUIT", 221)
	c.waitClosed(replyTimeout) // QUIT closes the connection
	a := startServer(t, asAnonymous())
	ac := a.dial(t)
	ac.cmd("USER anonymous", 331)
	ac.cmd("PASS whatever@example.com", 230) // any password for anonymous
}

func TestNavigationAndFiles(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := s.login(t)
	pwd := func(want string) {
		t.Helper()
		text := c.cmd("PWD", 257)
		if !strings.HasPrefix(text, `257 "`+want+`"`) {
			t.Fatalf("PWD: got %q, want 257 %q", text, want)
		}
	}
	pwd("/")
	c.cmd("MKD dir1", 257)
	if fi, err := os.Stat(filepath.Join(s.Root, "dir1")); err != nil || !fi.IsDir() {
		t.Fatalf("MKD dir1 did not create a directory: %v", err)
	}
	c.cmd("MKD dir1", 550) // exists
	c.cmd("CWD dir1", 250)
	pwd("/dir1")
	c.cmd("MKD sub", 257)
	c.cmd("CWD sub", 250)
	pwd("/dir1/sub")
	c.cmd("CDUP", 200, 250)
	pwd("/dir1")
	c.cmd("CWD /", 250)
	c.cmd("CWD nosuchdir", 550)
	pwd("/")
	c.cmd("XPWD", 257)

	if err := os.WriteFile(filepath.Join(s.Root, "dir1", "f.txt"), []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	c.cmd("CWD dir1/sub", 250)
	c.cmd("CWD ../..", 250)
	pwd("/")
	c.cmd("RMD dir1", 550) // not empty
	c.cmd("RNTO x", 503)   // RNTO without RNFR
	c.cmd("RNFR nosuch", 550)
	c.cmd("RNFR dir1/f.txt", 350)
	c.cmd("RNTO dir1/g.txt", 250)
	if _, err := os.Stat(filepath.Join(s.Root, "dir1", "g.txt")); err != nil {
		t.Fatalf("RNFR/RNTO did not rename: %v", err)
	}
	c.cmd("RNFR dir1/sub", 350) // directories rename too
	c.cmd("RNTO sub2", 250)
	if fi, err := os.Stat(filepath.Join(s.Root, "sub2")); err != nil || !fi.IsDir() {
		t.Fatalf("RNTO sub2: %v", err)
	}
	c.cmd("DELE dir1/g.txt", 250)
	c.cmd("DELE dir1/g.txt", 550)
	c.cmd("DELE sub2", 550) // DELE of a directory
	c.cmd("RMD sub2", 250)
	c.cmd("RMD dir1", 250)
	if _, err := os.Stat(filepath.Join(s.Root, "dir1")); !os.IsNotExist(err) {
		t.Fatalf("RMD dir1 left it in place: %v", err)
	}
	c.cmd("RMD nosuch", 550)
	c.cmd("NOOP", 200)
	if text := c.cmd("SYST", 215); text != "215 UNIX Type: L8" {
		t.Fatalf("SYST: got %q, want %q", text, "215 UNIX Type: L8")
	}
	c.cmd("XYZZY", 500, 502) // unknown command
}

func TestSizeMdtmMfmt(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	path := filepath.Join(s.Root, "f.bin")
	if err := os.WriteFile(path, randomBytes(5, 12345), 0o644); err != nil {
		t.Fatal(err)
	}
	mtime := time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(s.Root, "d"), 0o755); err != nil {
		t.Fatal(err)
	}
	c := s.login(t)
	c.cmd("TYPE I", 200)
	if text := c.cmd("SIZE f.bin", 213); text != "213 12345" {
		t.Fatalf("SIZE f.bin: got %q, want %q", text, "213 12345")
	}
	c.cmd("SIZE nosuch", 550)
	c.cmd("SIZE d", 550) // not a plain file
	c.cmd("TYPE A", 200)
	c.cmd("SIZE f.bin", 550) // RFC 3659 4.3: in ASCII the size depends on the conversion
	c.cmd("TYPE I", 200)

	if text := c.cmd("MDTM f.bin", 213); text != "213 20210304050607" {
		t.Fatalf("MDTM f.bin: got %q, want %q (GMT)", text, "213 20210304050607")
	}
	c.cmd("MDTM nosuch", 550)

	text := c.cmd("MFMT 20200102030405 f.bin", 213)
	if !strings.HasPrefix(text, "213 Modify=20200102030405;") {
		t.Fatalf("MFMT: got %q, want 213 Modify=20200102030405; f.bin", text)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC); !fi.ModTime().Equal(want) {
		t.Fatalf("MFMT: file mtime %v, want %v", fi.ModTime().UTC(), want)
	}
	c.cmd("MFMT 2020 f.bin", 501, 550) // pyftpdlib: 550
	c.cmd("MFMT 20200102030405 nosuch", 550)
}

func TestMlstAndOpts(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	if err := os.WriteFile(filepath.Join(s.Root, "f.txt"), []byte("12345"), 0o644); err != nil {
		t.Fatal(err)
	}
	mtime := time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)
	if err := os.Chtimes(filepath.Join(s.Root, "f.txt"), mtime, mtime); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(s.Root, "d"), 0o755); err != nil {
		t.Fatal(err)
	}
	c := s.login(t)

	feat := c.cmd("FEAT", 211)
	lines := strings.Split(feat, "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[0], "211-") || !strings.HasPrefix(lines[len(lines)-1], "211 ") {
		t.Fatalf("FEAT: not a 211 multi-line reply: %q", feat)
	}
	has := func(prefix string) bool {
		return slices.ContainsFunc(lines[1:len(lines)-1], func(l string) bool {
			return strings.HasPrefix(l, " "+prefix) // RFC 2389: each feature line starts with a space
		})
	}
	for _, f := range []string{"UTF8", "MLST ", "EPSV", "EPRT", "REST STREAM", "SIZE", "MDTM", "MFMT"} {
		if !has(f) {
			t.Errorf("FEAT lacks %q:\n%s", f, feat)
		}
	}
	for _, fact := range []string{"type*", "size*", "modify*", "perm*"} {
		if !strings.Contains(feat, fact) {
			t.Errorf("FEAT MLST line lacks the default fact %q:\n%s", fact, feat)
		}
	}
	if onPeer() {
		c.cmd("OPTS UTF8 ON", 200, 501) // pyftpdlib 1.5.7 advertises UTF8 but refuses the OPTS
	} else {
		c.cmd("OPTS UTF8 ON", 200)
	}

	mlst := func(arg string) map[string]string {
		t.Helper()
		text := c.cmd("MLST "+arg, 250)
		lines := strings.Split(text, "\n")
		if len(lines) != 3 || !strings.HasPrefix(lines[1], " ") {
			t.Fatalf("MLST %s: want 250- / one entry line starting with a space / 250, got %q", arg, text)
		}
		facts := map[string]string{}
		entry := lines[1][1:]
		sp := strings.IndexByte(entry, ' ')
		if sp < 0 {
			t.Fatalf("MLST %s: entry without a name: %q", arg, entry)
		}
		for _, f := range strings.Split(strings.TrimSuffix(entry[:sp], ";"), ";") {
			k, v, _ := strings.Cut(f, "=")
			facts[strings.ToLower(k)] = v
		}
		facts["name"] = entry[sp+1:]
		return facts
	}
	f := mlst("f.txt")
	// RFC 3659 2.3: modify is GMT, YYYYMMDDHHMMSS with optional fraction.
	if f["type"] != "file" || f["size"] != "5" || !strings.HasPrefix(f["modify"], "20210304050607") ||
		!strings.HasSuffix(f["name"], "f.txt") {
		t.Fatalf("MLST f.txt: facts %v", f)
	}
	if d := mlst("d"); d["type"] != "dir" {
		t.Fatalf("MLST d: facts %v", d)
	}
	c.cmd("MLST nosuch", 550)

	c.cmd("OPTS MLST type;size;", 200)
	f = mlst("f.txt")
	if _, ok := f["modify"]; ok || f["type"] != "file" || f["size"] != "5" {
		t.Fatalf("after OPTS MLST type;size; MLST f.txt has facts %v, want only type and size", f)
	}
	feat = c.cmd("FEAT", 211)
	var starred []string
	for _, l := range strings.Split(feat, "\n") {
		if facts, ok := strings.CutPrefix(l, " MLST "); ok {
			for _, f := range strings.Split(facts, ";") {
				if name, ok := strings.CutSuffix(f, "*"); ok {
					starred = append(starred, strings.ToLower(name))
				}
			}
		}
	}
	if slices.Sort(starred); !slices.Equal(starred, []string{"size", "type"}) {
		t.Fatalf("FEAT after OPTS MLST type;size; marks %q as active, want size and type: %q", starred, feat)
	}
	c.cmd("OPTS NOSUCH", 501)

	data := c.retr("MLSD")
	var names []string
	for _, l := range crlfLines(t, "MLSD", data) {
		name, typ, ok := mlsdName(l)
		if !ok {
			t.Fatalf("MLSD: malformed entry %q", l)
		}
		if strings.Contains(l, "modify=") {
			t.Fatalf("MLSD after OPTS MLST type;size; still shows modify: %q", l)
		}
		if typ != "cdir" && typ != "pdir" {
			names = append(names, name)
		}
	}
	checkNames(t, "MLSD /", names, []string{"d", "f.txt"})
	// RFC 3659 7.1: MLSD of a non-directory is 501. Open the data connection first, as a
	// client would, so the refusal cannot come from its absence.
	dc := c.pasv()
	c.cmd("MLSD f.txt", 501)
	dc.Close()
}

func TestStatHelpSite(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	path := filepath.Join(s.Root, "f.txt")
	if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(s.Root, "d"), 0o755); err != nil {
		t.Fatal(err)
	}
	c := s.login(t)
	if text := c.cmd("STAT", 211); !strings.Contains(text, "\n211 ") {
		t.Fatalf("STAT: want a multi-line 211 reply, got %q", text)
	}
	text := c.cmd("STAT /", 211, 212, 213)
	for _, name := range []string{"f.txt", "d"} {
		if !regexp.MustCompile(`(?m) ` + regexp.QuoteMeta(name) + `$`).MatchString(text) {
			t.Fatalf("STAT /: listing over control lacks %s: %q", name, text)
		}
	}
	c.cmd("STAT *", 550)
	c.cmd("STAT f*.txt", 550)
	if text := c.cmd("HELP", 214); !strings.Contains(text, "RETR") {
		t.Fatalf("HELP: want 214 listing the commands, got %q", text)
	}
	c.cmd("HELP RETR", 214)
	c.cmd("HELP NOSUCH", 501)
	if text := c.cmd("SITE HELP", 214); !strings.Contains(strings.ToUpper(text), "CHMOD") {
		t.Fatalf("SITE HELP: want 214 naming CHMOD, got %q", text)
	}
	c.cmd("SITE CHMOD 600 f.txt", 200)
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("SITE CHMOD 600: mode %v, err %v", fi.Mode().Perm(), err)
	}
	c.cmd("SITE CHMOD 999 f.txt", 501)
	c.cmd("SITE CHMOD 644 nosuch", 550)
	c.cmd("SITE NOSUCH", 500, 501, 502)
}

func TestTypeAsciiConversion(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := s.login(t)
	c.cmd("TYPE A", 200)
	c.stor("STOR up.txt", []byte("one\r\ntwo\r\nthree\r\n"))
	if got, _ := os.ReadFile(filepath.Join(s.Root, "up.txt")); string(got) != "one\ntwo\nthree\n" {
		t.Fatalf("TYPE A STOR stored %q, want LF line endings", got)
	}
	if err := os.WriteFile(filepath.Join(s.Root, "down.txt"), []byte("a\nb\n\nc"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := c.retr("RETR down.txt"); string(got) != "a\r\nb\r\n\r\nc" {
		t.Fatalf("TYPE A RETR sent %q, want CRLF line endings", got)
	}
	c.cmd("TYPE I", 200)
	if got := c.retr("RETR down.txt"); string(got) != "a\nb\n\nc" {
		t.Fatalf("TYPE I RETR sent %q, want the bytes unchanged", got)
	}
	c.cmd("TYPE L 8", 200)
	c.cmd("TYPE X", 500, 501, 504)
	c.cmd("MODE S", 200)
	c.cmd("STRU F", 200)
	c.cmd("MODE Z", 501, 504)
}

func TestRestAppeStou(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	data := randomBytes(11, 100_000)
	path := filepath.Join(s.Root, "f.bin")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	c := s.login(t)
	c.cmd("TYPE I", 200)

	c.cmd("REST 40000", 350)
	if got := c.retr("RETR f.bin"); !bytes.Equal(got, data[40000:]) {
		t.Fatalf("REST 40000 + RETR: got %d bytes, want the last %d", len(got), len(data)-40000)
	}
	// The REST offset is used once: the next RETR starts at 0 again.
	if got := c.retr("RETR f.bin"); !bytes.Equal(got, data) {
		t.Fatalf("RETR after a REST+RETR: got %d bytes, want all %d", len(got), len(data))
	}
	c.cmd("REST -1", 501)
	c.cmd("REST abc", 501)

	newTail := randomBytes(12, 60_000)
	c.cmd("REST 40000", 350)
	c.stor("STOR f.bin", newTail)
	want := append(append([]byte(nil), data[:40000]...), newTail...)
	if got, _ := os.ReadFile(path); !bytes.Equal(got, want) {
		t.Fatalf("REST 40000 + STOR: file has %d bytes, want %d (prefix kept, tail replaced)", len(got), len(want))
	}

	more := []byte("appended")
	c.stor("APPE f.bin", more)
	want = append(want, more...)
	if got, _ := os.ReadFile(path); !bytes.Equal(got, want) {
		t.Fatalf("APPE: file has %d bytes, want %d", len(got), len(want))
	}
	c.stor("APPE new.bin", more)
	if got, _ := os.ReadFile(filepath.Join(s.Root, "new.bin")); !bytes.Equal(got, more) {
		t.Fatalf("APPE to a new file: got %q", got)
	}

	unique := []byte("unique content")
	prelim := c.stor("STOU", unique)
	_, name, ok := strings.Cut(prelim, "FILE: ")
	if !ok || name == "" {
		t.Fatalf("STOU: preliminary reply %q does not name the file (RFC 1123: 150 FILE: name)", prelim)
	}
	name = strings.TrimSpace(name)
	if got, err := os.ReadFile(filepath.Join(s.Root, filepath.Base(name))); err != nil || !bytes.Equal(got, unique) {
		t.Fatalf("STOU stored %q as %q: %v", got, name, err)
	}
	prelim2 := c.stor("STOU", unique)
	if prelim2 == prelim {
		t.Fatalf("two STOUs got the same name: %q", prelim)
	}
}

// runningRetr logs in to a new server and starts a RETR of a 32 MiB file (more than socket
// buffers hold), of which it reads 64 KiB: the transfer is running when it returns. The
// server also has small.txt, whose content it returns, to check the session afterwards.
func runningRetr(t *testing.T, seed uint64) (c *ctrl, dc net.Conn, small []byte) {
	t.Helper()
	s := startServer(t)
	writeRandomFile(t, filepath.Join(s.Root, "big.bin"), seed, 32<<20)
	small = []byte("small file")
	if err := os.WriteFile(filepath.Join(s.Root, "small.txt"), small, 0o644); err != nil {
		t.Fatal(err)
	}
	c = s.login(t)
	c.cmd("TYPE I", 200)
	dc = c.pasv()
	c.cmd("RETR big.bin", 125, 150)
	if _, err := io.ReadFull(dc, make([]byte, 64<<10)); err != nil {
		t.Fatalf("read the first 64 KiB: %v", err)
	}
	return c, dc, small
}

// TestAborDuringTransfer aborts a RETR whose client stopped reading: the server answers 426
// then 226, and the session goes on working.
func TestAborDuringTransfer(t *testing.T) {
	t.Parallel()
	c, dc, small := runningRetr(t, 21)
	c.send("ABOR")
	code, text := c.expectFor("ABOR", 426, 225, 226)
	if code != 426 {
		t.Fatalf("ABOR during RETR: first reply %q, want 426", text)
	}
	c.expectFor("ABOR (second reply)", 226, 225)
	dc.Close()
	c.cmd("NOOP", 200)
	if got := c.retr("RETR small.txt"); !bytes.Equal(got, small) {
		t.Fatalf("RETR after ABOR: got %q", got)
	}
	c.cmd("ABOR", 225, 226) // nothing to abort
}

func TestEpsvAll(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	if err := os.WriteFile(filepath.Join(s.Root, "f"), []byte("data"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := s.login(t)
	c.cmd("EPSV ALL", 200, 220) // pyftpdlib answers 220
	c.cmd("PASV", 501, 503, 522)
	c.cmd("PORT 127,0,0,1,100,100", 501, 503, 522)
	c.cmd("EPRT |1|127.0.0.1|25700|", 501, 503, 522)
	dc := c.epsv() // EPSV itself still works
	c.cmd("RETR f", 125, 150)
	got, err := io.ReadAll(dc)
	if err != nil || string(got) != "data" {
		t.Fatalf("RETR over EPSV after EPSV ALL: %q, %v", got, err)
	}
	c.expectFor("RETR f (end)", 226)
	c.cmd("EPSV 1", 229)
	c.cmd("EPSV 3", 522, 501) // RFC 2428: 522 (pyftpdlib: 501)
}

// TestPipelinedCommands writes several commands in one segment and expects the replies in
// order, including commands that run off the event loop.
func TestPipelinedCommands(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := s.login(t)
	for _, batch := range []struct {
		lines []string
		codes []int
	}{
		{[]string{"NOOP", "PWD", "SYST", "TYPE I", "NOOP"}, []int{200, 257, 215, 200, 200}},
		{[]string{"MKD p", "CWD p", "PWD", "CDUP", "RMD p"}, []int{257, 250, 257, 200, 250}},
		{[]string{"SIZE nosuch", "NOOP", "MKD q", "RMD q", "PWD"}, []int{550, 200, 257, 250, 257}},
	} {
		var buf bytes.Buffer
		for _, l := range batch.lines {
			buf.WriteString(l + "\r\n")
		}
		_ = c.c.SetWriteDeadline(time.Now().Add(replyTimeout))
		if _, err := c.c.Write(buf.Bytes()); err != nil {
			t.Fatalf("write batch: %v", err)
		}
		for i, want := range batch.codes {
			codes := []int{want}
			if batch.lines[i] == "CDUP" {
				codes = []int{200, 250}
			}
			_, text := c.expectFor(batch.lines[i]+" (pipelined)", codes...)
			if batch.lines[i] == "PWD" && i == 2 && !strings.HasPrefix(text, `257 "/p"`) {
				t.Fatalf("pipelined PWD after CWD p: got %q", text)
			}
		}
	}
	// A line split across writes is still one command.
	for _, part := range []string{"NO", "O", "P\r", "\n"} {
		_ = c.c.SetWriteDeadline(time.Now().Add(replyTimeout))
		if _, err := io.WriteString(c.c, part); err != nil {
			t.Fatal(err)
		}
	}
	c.expectFor("NOOP split across writes", 200)

	// Commands pipelined behind a transfer wait for it and are answered after its 226
	// (pyftpdlib answers them during the transfer, before the 226).
	if onPeer() {
		return
	}
	if err := os.WriteFile(filepath.Join(s.Root, "f"), randomBytes(13, 256<<10), 0o644); err != nil {
		t.Fatal(err)
	}
	dc := c.pasv()
	_ = c.c.SetWriteDeadline(time.Now().Add(replyTimeout))
	if _, err := io.WriteString(c.c, "RETR f\r\nPWD\r\nSIZE f\r\nNOOP\r\n"); err != nil {
		t.Fatalf("write batch: %v", err)
	}
	c.expectFor("RETR f (pipelined)", 125, 150)
	if got, err := io.ReadAll(dc); err != nil || len(got) != 256<<10 {
		t.Fatalf("pipelined RETR: %d bytes, %v", len(got), err)
	}
	c.expectFor("RETR f (pipelined, end)", 226)
	c.expectFor("PWD (pipelined after RETR)", 257)
	if _, text := c.expectFor("SIZE f (pipelined after RETR)", 213); text != "213 262144" {
		t.Fatalf("pipelined SIZE f: %q", text)
	}
	c.expectFor("NOOP (pipelined after RETR)", 200)
}

func TestPermissions(t *testing.T) {
	t.Parallel()
	t.Run("anonymous", func(t *testing.T) {
		t.Parallel()
		s := startServer(t, asAnonymous())
		if err := os.WriteFile(filepath.Join(s.Root, "pub.txt"), []byte("public"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(filepath.Join(s.Root, "d"), 0o755); err != nil {
			t.Fatal(err)
		}
		c := s.login(t)
		if got := c.retr("RETR pub.txt"); string(got) != "public" {
			t.Fatalf("anonymous RETR: got %q", got)
		}
		c.retr("LIST")
		c.cmd("CWD d", 250)
		c.cmd("CWD /", 250)
		for _, cmd := range []string{"STOR new.txt", "APPE pub.txt", "STOU"} {
			dc := c.pasv()
			c.cmd(cmd, 550)
			dc.Close()
		}
		c.cmd("DELE pub.txt", 550)
		c.cmd("MKD newdir", 550)
		c.cmd("RMD d", 550)
		c.cmd("RNFR pub.txt", 550)
		c.cmd("SITE CHMOD 777 pub.txt", 550)
		c.cmd("MFMT 20200101000000 pub.txt", 550)
		if _, err := os.Stat(filepath.Join(s.Root, "new.txt")); !os.IsNotExist(err) {
			t.Fatalf("anonymous STOR created a file: %v", err)
		}
		if _, err := os.Stat(filepath.Join(s.Root, "newdir")); !os.IsNotExist(err) {
			t.Fatalf("anonymous MKD created a directory: %v", err)
		}
		if got, _ := os.ReadFile(filepath.Join(s.Root, "pub.txt")); string(got) != "public" {
			t.Fatalf("anonymous changed pub.txt to %q", got)
		}
	})
	t.Run("user", func(t *testing.T) {
		t.Parallel()
		s := startServer(t)
		c := s.login(t)
		c.stor("STOR new.txt", []byte("new"))
		c.stor("APPE new.txt", []byte("er"))
		c.cmd("MKD newdir", 257)
		c.cmd("RNFR new.txt", 350)
		c.cmd("RNTO newdir/newer.txt", 250)
		if got, _ := os.ReadFile(filepath.Join(s.Root, "newdir", "newer.txt")); string(got) != "newer" {
			t.Fatalf("write user: newdir/newer.txt holds %q", got)
		}
		c.cmd("DELE newdir/newer.txt", 250)
		c.cmd("RMD newdir", 250)
	})
}
