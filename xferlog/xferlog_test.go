// xferlog_test.go: lines parsed back field by field, the writer's append, rotate and
// close behaviour, and concurrent writers never interleaving.
package xferlog

import (
	"bufio"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// parsed is a line split back into xferlog(5)'s fields.
type parsed struct {
	time                                                 time.Time
	secs                                                 int64
	host                                                 string
	size                                                 int64
	name, typ, action, dir, mode, user, svc, am, aid, st string
}

func parseLine(t *testing.T, line string) parsed {
	t.Helper()
	if !strings.HasSuffix(line, "\n") || strings.Count(line, "\n") != 1 || strings.Contains(line, "\r") {
		t.Fatalf("line %q: want exactly one trailing LF and no CR", line)
	}
	f := strings.Fields(line)
	if len(f) != 18 {
		t.Fatalf("line %q: %d fields, want 18", line, len(f))
	}
	tm, err := time.Parse("Mon Jan 2 15:04:05 2006", strings.Join(f[:5], " "))
	if err != nil {
		t.Fatalf("line %q: date: %v", line, err)
	}
	secs, err1 := strconv.ParseInt(f[5], 10, 64)
	size, err2 := strconv.ParseInt(f[7], 10, 64)
	if err1 != nil || err2 != nil {
		t.Fatalf("line %q: numbers: %v %v", line, err1, err2)
	}
	return parsed{tm, secs, f[6], size, f[8], f[9], f[10], f[11], f[12], f[13], f[14], f[15], f[16], f[17]}
}

func TestAppendRecordFields(t *testing.T) {
	end := time.Date(2004, time.March, 4, 8, 12, 30, 0, time.UTC)
	cases := []struct {
		name string
		r    Record
		want parsed
	}{
		{"real download", Record{Time: end, Duration: 3 * time.Second, Remote: netip.MustParseAddr("192.0.2.1"),
			Bytes: 1048576, Path: "/pub/file.iso", User: "alice", Complete: true},
			parsed{end, 3, "192.0.2.1", 1048576, "/pub/file.iso", "b", "_", "o", "r", "alice", "ftp", "0", "*", "c"}},
		{"ascii upload incomplete", Record{Time: end, Duration: 2600 * time.Millisecond, Remote: netip.MustParseAddr("2001:db8::5"),
			Bytes: 17, Path: "/incoming/notes.txt", ASCII: true, Incoming: true, User: "bob"},
			parsed{end, 3, "2001:db8::5", 17, "/incoming/notes.txt", "a", "_", "i", "r", "bob", "ftp", "0", "*", "i"}},
		{"anonymous: user is the password given", Record{Time: end, Duration: 0, Remote: netip.MustParseAddr("::ffff:198.51.100.9"),
			Path: "/README", Anonymous: true, User: "guest@example.org", Complete: true},
			parsed{end, 1, "198.51.100.9", 0, "/README", "b", "_", "o", "a", "guest@example.org", "ftp", "0", "*", "c"}},
		{"spaces and controls in names", Record{Time: end, Duration: 1400 * time.Millisecond, Remote: netip.MustParseAddr("203.0.113.4"),
			Bytes: 5, Path: "/my dir/a\tb\r\nc d.txt", Anonymous: true, User: "mail me@x", Complete: true},
			parsed{end, 1, "203.0.113.4", 5, "/my_dir/a_b__c_d.txt", "b", "_", "o", "a", "mail_me@x", "ftp", "0", "*", "c"}},
		{"empty names, no remote, negative size", Record{Time: end, Duration: 10 * time.Second, Bytes: -3},
			parsed{end, 10, "*", 0, "*", "b", "_", "o", "r", "*", "ftp", "0", "*", "i"}},
		{"non-ASCII name kept", Record{Time: end, Duration: time.Minute, Remote: netip.MustParseAddr("127.0.0.1"),
			Bytes: 1, Path: "/données/été.txt", User: "zoë", Complete: true},
			parsed{end, 60, "127.0.0.1", 1, "/données/été.txt", "b", "_", "o", "r", "zoë", "ftp", "0", "*", "c"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			line := string(AppendRecord(nil, &c.r))
			got := parseLine(t, line)
			if !got.time.Equal(c.want.time) {
				t.Errorf("time %v, want %v", got.time, c.want.time)
			}
			got.time, c.want.time = time.Time{}, time.Time{}
			if got != c.want {
				t.Errorf("line %q\n got %+v\nwant %+v", line, got, c.want)
			}
		})
	}
}

func TestCtimeDate(t *testing.T) {
	// ctime pads a one-digit day with a space: two spaces after the month.
	r := Record{Time: time.Date(2024, time.January, 7, 23, 5, 9, 0, time.UTC), Complete: true}
	line := string(AppendRecord([]byte("prefix "), &r))
	if want := "prefix Sun Jan  7 23:05:09 2024 1 "; !strings.HasPrefix(line, want) {
		t.Errorf("got %q, want prefix %q", line, want)
	}
	r.Time = time.Date(2024, time.December, 25, 0, 0, 0, 0, time.FixedZone("X", 5*3600))
	if line := string(AppendRecord(nil, &r)); !strings.HasPrefix(line, "Wed Dec 25 00:00:00 2024 ") {
		t.Errorf("the record's own location must be used: %q", line)
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		t.Fatalf("%s ends in a partial line: %q", path, b)
	}
	lines := strings.SplitAfter(string(b), "\n")
	return lines[:len(lines)-1] // each with its LF; SplitAfter leaves "" last
}

func rec(name string) *Record {
	return &Record{Time: time.Now(), Duration: time.Second, Remote: netip.MustParseAddr("127.0.0.1"),
		Bytes: 10, Path: name, User: "u", Complete: true}
}

func TestOpenErrorNamesPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "dir", "xferlog")
	_, err := Open(path)
	if err == nil || !strings.Contains(err.Error(), path) || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Open(%s) = %v, want a not-exist error naming the path", path, err)
	}
}

func TestReopenAfterRename(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "xferlog")
	w, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	mustLog(t, w, "/before")
	// logrotate renames the live file; until Reopen, records follow the open descriptor.
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	mustLog(t, w, "/during")
	if err := w.Reopen(); err != nil {
		t.Fatal(err)
	}
	mustLog(t, w, "/after")

	names := func(p string) (out []string) {
		for _, l := range readLines(t, p) {
			out = append(out, parseLine(t, l).name)
		}
		return out
	}
	if got := names(path + ".1"); fmt.Sprint(got) != "[/before /during]" {
		t.Errorf("rotated file holds %v", got)
	}
	if got := names(path); fmt.Sprint(got) != "[/after]" {
		t.Errorf("new file holds %v", got)
	}
}

func TestReopenFailureKeepsOldFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "logs")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "xferlog")
	w, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := os.Rename(dir, dir+".gone"); err != nil { // the directory vanishes
		t.Fatal(err)
	}
	if err := w.Reopen(); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("Reopen = %v, want an error naming %s", err, path)
	}
	mustLog(t, w, "/still")
	if l := readLines(t, filepath.Join(dir+".gone", "xferlog")); len(l) != 1 || parseLine(t, l[0]).name != "/still" {
		t.Errorf("old file holds %q", l)
	}
}

func TestClosed(t *testing.T) {
	w, err := Open(filepath.Join(t.TempDir(), "x"))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{"Log": w.Log(rec("/x")), "Reopen": w.Reopen(), "Close": w.Close()} {
		if !errors.Is(err, ErrClosed) || !errors.Is(err, os.ErrClosed) {
			t.Errorf("%s after Close = %v, want ErrClosed", name, err)
		}
	}
}

// TestConcurrentLinesNeverInterleave writes from several goroutines (and Reopens
// meanwhile) and checks that every line is whole.
func TestConcurrentLinesNeverInterleave(t *testing.T) {
	path := filepath.Join(t.TempDir(), "xferlog")
	w, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	const workers, per = 8, 200
	var wg sync.WaitGroup
	for g := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			long := "/" + strings.Repeat("d", 300) + "/" + strconv.Itoa(g)
			for i := range per {
				if err := w.Log(rec(long + "/" + strconv.Itoa(i))); err != nil {
					t.Error(err)
					return
				}
				if g == 0 && i%50 == 0 {
					if err := w.Reopen(); err != nil {
						t.Error(err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		p := parseLine(t, sc.Text()+"\n")
		if seen[p.name] {
			t.Fatalf("duplicate %s", p.name)
		}
		seen[p.name] = true
	}
	if len(seen) != workers*per {
		t.Fatalf("%d lines, want %d", len(seen), workers*per)
	}
}

func mustLog(t *testing.T, w *Writer, name string) {
	t.Helper()
	if err := w.Log(rec(name)); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkAppendRecord(b *testing.B) {
	r := rec("/pub/some directory/file.iso")
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendRecord(buf[:0], r)
	}
	b.SetBytes(int64(len(buf)))
}

func BenchmarkLog(b *testing.B) {
	w, err := Open(filepath.Join(b.TempDir(), "xferlog"))
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	r := rec("/pub/file.iso")
	b.ReportAllocs()
	for b.Loop() {
		if err := w.Log(r); err != nil {
			b.Fatal(err)
		}
	}
}
