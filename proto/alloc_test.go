// alloc_test.go: the allocation gate; every parse and encode path must allocate nothing.

//go:build !race

package proto

import (
	"io/fs"
	"net/netip"
	"testing"
	"time"
)

func assertNoAllocs(t *testing.T, name string, f func()) {
	t.Helper()
	if n := testing.AllocsPerRun(200, f); n != 0 {
		t.Errorf("%s: %v allocs/op, want 0", name, n)
	}
}

func TestAllocs(t *testing.T) {
	input := []byte("USER anonymous\r\nretr some/file.bin\r\nNOOP\nXYZZY 1\r\n\xff\xf4\xff\xf2ABOR\r\nSTOR a\xff\xffb\r\n" +
		"OPTS MLST type;size;\r\n   \r\nXSHA256 some/file.bin 0 100\r\nhash f\r\n")
	work := make([]byte, len(input))
	var sink Verb
	assertNoAllocs(t, "NextLine+Parse+Lookup", func() {
		copy(work, input) // Parse strips IAC in place, so start from a fresh copy
		buf := work
		for {
			line, n, err := NextLine(buf)
			if err != nil || n == 0 {
				break
			}
			c := Parse(line)
			sink += c.Verb + Lookup(c.Name)
			buf = buf[n:]
		}
	})
	long := make([]byte, 100<<10)
	assertNoAllocs(t, "NextLine too long", func() { _, _, _ = NextLine(long) })
	assertNoAllocs(t, "ParseType", func() { _, _ = ParseType([]byte("L 8")); _, _ = ParseType([]byte("E")) })

	dst := make([]byte, 0, 4096)
	text := []byte("bad\r\nname")
	encoders := map[string]func(){
		"AppendReply":      func() { dst = AppendReply(dst[:0], 226, "Transfer complete.") },
		"AppendReplyBytes": func() { dst = AppendReplyBytes(dst[:0], 550, text) },
		"AppendReplyStart": func() { dst = AppendReplyStart(dst[:0], 211, "Features:") },
		"AppendReplyCont":  func() { dst = AppendReplyCont(dst[:0], text) },
		"AppendSanitized":  func() { dst = AppendSanitized(dst[:0], text) },
		"AppendQuotedPath": func() { dst = AppendQuotedPath(dst[:0], "/a \"b\"\r\n") },
		"AppendPASVReply":  func() { dst = AppendPASVReply(dst[:0], netip.AddrFrom4([4]byte{127, 0, 0, 1}), 50000) },
		"AppendEPSVReply":  func() { dst = AppendEPSVReply(dst[:0], 50000) },
		"AppendPORTArg":    func() { dst = AppendPORTArg(dst[:0], netip.MustParseAddrPort("10.0.0.1:2121")) },
		"AppendEPRTArg v6": func() { dst = AppendEPRTArg(dst[:0], netip.MustParseAddrPort("[2001:db8::1]:2121")) },
		"AppendEPRTArg v4": func() { dst = AppendEPRTArg(dst[:0], netip.MustParseAddrPort("10.0.0.1:2121")) },
		"AppendFactNames":  func() { dst = AppendFactNames(dst[:0], FactsDefault, true) },
		"AppendTimeVal":    func() { dst = AppendTimeVal(dst[:0], time.Now(), time.Local) },
		"AppendNameLine":   func() { dst = AppendNameLine(dst[:0], "file\n.txt") },
	}
	for name, f := range encoders {
		assertNoAllocs(t, name, f)
	}

	now := time.Now()
	e := Entry{Name: "some file.bin", Size: 123456789, Mode: 0o644, ModTime: now.Add(-time.Hour), Nlink: 1, UID: 1000, GID: 1000, Dev: 2051, Ino: 418}
	old := e
	old.ModTime = now.AddDate(-2, 0, 0)
	dir := Entry{Name: "dir", Mode: fs.ModeDir | 0o755, ModTime: now, Nlink: 3}
	link := Entry{Name: "latest", Owner: "ftp", Group: "ftp", Target: "release-1.2", Mode: fs.ModeSymlink | 0o777, ModTime: now, Nlink: 1}
	assertNoAllocs(t, "AppendListLine", func() {
		dst = AppendListLine(dst[:0], &e, now, time.Local)
		dst = AppendListLine(dst, &old, now, time.UTC)
		dst = AppendListLine(dst, &dir, now, nil)
		dst = AppendListLine(dst, &link, now, nil)
	})
	assertNoAllocs(t, "AppendMLSx", func() {
		dst = AppendMLSx(dst[:0], &e, FactsAll, "", "adfrw")
		dst = AppendMLSx(dst, &dir, FactsDefault, "cdir", "flcdmpe")
	})
	fi := fakeStat{}
	assertNoAllocs(t, "FillEntry", func() { FillEntry(&e, "x", fi) })

	ports := [][]byte{[]byte("127,0,0,1,200,13"), []byte("1,2,3,4,5"), []byte("300,0,0,1,1,1")}
	eprts := [][]byte{[]byte("|1|132.235.1.2|6275|"), []byte("|2|1080::8:800:200C:417A|5282|"),
		[]byte("|2|::ffff:1.2.3.4|21|"), []byte("|2|fe80::1%eth0|80|"), []byte("|3|x|1|"), []byte("|2|:::|1|")}
	epsvs := [][]byte{nil, []byte("ALL"), []byte("2"), []byte("3"), []byte("x")}
	assertNoAllocs(t, "ParsePORT/EPRT/EPSV", func() {
		for _, p := range ports {
			_, _ = ParsePORT(p)
		}
		for _, p := range eprts {
			_, _ = ParseEPRT(p)
		}
		for _, p := range epsvs {
			_, _, _ = ParseEPSV(p)
		}
	})
	var facts Facts
	assertNoAllocs(t, "ParseFacts", func() { facts |= ParseFacts([]byte("Type;SIZE;modify;unix.mode;media-type;")) })
	assertNoAllocs(t, "ParseTimeVal", func() { _, _ = ParseTimeVal([]byte("20250102150405.123")) })
	_, _ = sink, facts
}

// fakeStat is a FileInfo whose methods allocate nothing, so the gate measures FillEntry.
type fakeStat struct{}

func (fakeStat) Name() string       { return "x" }
func (fakeStat) Size() int64        { return 1 }
func (fakeStat) Mode() fs.FileMode  { return 0o644 }
func (fakeStat) ModTime() time.Time { return time.Time{} }
func (fakeStat) IsDir() bool        { return false }
func (fakeStat) Sys() any           { return nil }
