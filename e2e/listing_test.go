// Directory listings: a 10,000-file directory listed completely by LIST, NLST and MLSD
// (every name exactly once, CRLF lines), over the raw protocol and through the Go client.
package e2e

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

const bigDirFiles = 10_000

// makeBigDir creates root/name with n empty files named prefix+number+".dat" and returns
// their names. Creation runs on
// a few goroutines because file creation on the test machines' disks is latency-bound.
func makeBigDir(t testing.TB, root, name, prefix string, n int) []string {
	t.Helper()
	dir := filepath.Join(root, name)
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("%s%05d.dat", prefix, i)
	}
	const workers = 8
	errs := make(chan error, workers)
	for w := range workers {
		go func() {
			for i := w; i < n; i += workers {
				f, err := os.Create(filepath.Join(dir, names[i]))
				if err != nil {
					errs <- err
					return
				}
				f.Close()
			}
			errs <- nil
		}()
	}
	for range workers {
		if err := <-errs; err != nil {
			t.Fatalf("create big dir entry: %v", err)
		}
	}
	return names
}

// listName extracts the name from an "ls -l" style LIST line: the text after the eighth
// field (mode, links, owner, group, size, month, day, time-or-year).
func listName(line string) (string, bool) {
	rest := line
	for i := 0; i < 8; i++ {
		rest = strings.TrimLeft(rest, " ")
		sp := strings.IndexByte(rest, ' ')
		if sp <= 0 {
			return "", false
		}
		rest = rest[sp:]
	}
	if len(rest) < 2 || rest[0] != ' ' {
		return "", false
	}
	// Columns are padded with runs of spaces; the name starts after exactly the run.
	name := strings.TrimLeft(rest, " ")
	return name, name != ""
}

// mlsdName extracts the name and the type fact from an MLSD/MLST entry "facts; name".
func mlsdName(line string) (name, typ string, ok bool) {
	sp := strings.IndexByte(line, ' ')
	if sp < 0 {
		return "", "", false
	}
	for _, fact := range strings.Split(line[:sp], ";") {
		k, v, _ := strings.Cut(fact, "=")
		if strings.EqualFold(k, "type") {
			typ = strings.ToLower(v)
		}
	}
	return line[sp+1:], typ, typ != ""
}

// crlfLines splits listing data, failing on a line not ended by CRLF.
func crlfLines(t testing.TB, what string, data []byte) []string {
	t.Helper()
	s := string(data)
	if s == "" {
		return nil
	}
	if !strings.HasSuffix(s, "\r\n") {
		t.Fatalf("%s: data does not end in CRLF: %q", what, clip(s[max(0, len(s)-80):]))
	}
	lines := strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n")
	for _, l := range lines {
		if strings.ContainsAny(l, "\r\n") {
			t.Fatalf("%s: line with a bare CR or LF: %q", what, clip(l))
		}
	}
	return lines
}

// checkNames fails unless got holds every name of want exactly once and nothing else.
func checkNames(t testing.TB, what string, got, want []string) {
	t.Helper()
	seen := make(map[string]int, len(got))
	for _, n := range got {
		seen[n]++
	}
	missing, dup := 0, 0
	for _, n := range want {
		switch seen[n] {
		case 0:
			missing++
		case 1:
		default:
			dup++
		}
		delete(seen, n)
	}
	if missing > 0 || dup > 0 || len(seen) > 0 || len(got) != len(want) {
		extra := make([]string, 0, 3)
		for n := range seen {
			if len(extra) == 3 {
				break
			}
			extra = append(extra, n)
		}
		t.Fatalf("%s: %d names, want %d: %d missing, %d repeated, %d unexpected (e.g. %q)",
			what, len(got), len(want), missing, dup, len(seen), extra)
	}
}

func TestListBigDirectory(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	want := makeBigDir(t, s.Root, "big", "file-", bigDirFiles)
	c := s.login(t)
	c.cmd("TYPE A", 200)

	t.Run("LIST", func(t *testing.T) {
		var got []string
		for _, l := range crlfLines(t, "LIST big", c.retr("LIST big")) {
			name, ok := listName(l)
			if !ok || l[0] != '-' {
				t.Fatalf("LIST big: not a regular-file ls -l line: %q", l)
			}
			got = append(got, name)
		}
		checkNames(t, "LIST big", got, want)
	})
	t.Run("NLST", func(t *testing.T) {
		var got []string
		for _, l := range crlfLines(t, "NLST big", c.retr("NLST big")) {
			got = append(got, path.Base(l)) // RFC 959 lets NLST of a directory return paths
		}
		checkNames(t, "NLST big", got, want)
	})
	t.Run("MLSD", func(t *testing.T) {
		var got []string
		for _, l := range crlfLines(t, "MLSD big", c.retr("MLSD big")) {
			name, typ, ok := mlsdName(l)
			if !ok {
				t.Fatalf("MLSD big: malformed entry %q", l)
			}
			if typ == "cdir" || typ == "pdir" {
				continue
			}
			if typ != "file" {
				t.Fatalf("MLSD big: entry %q has type %q, want file", name, typ)
			}
			got = append(got, name)
		}
		checkNames(t, "MLSD big", got, want)
	})
	t.Run("CWD+LIST", func(t *testing.T) {
		c.cmd("CWD big", 250)
		defer c.cmd("CWD /", 250)
		var got []string
		for _, l := range crlfLines(t, "LIST (cwd big)", c.retr("LIST")) {
			name, _ := listName(l)
			got = append(got, name)
		}
		checkNames(t, "LIST in big", got, want)
	})
	t.Run("GoClient", func(t *testing.T) {
		g := s.goClient(t, true)
		entries, err := g.List("big") // MLSD when FEAT advertises MLST
		if err != nil {
			t.Fatalf("Go client List(big): %v", err)
		}
		var got []string
		for _, e := range entries {
			got = append(got, e.Name)
		}
		checkNames(t, "Go client List(big)", got, want)
		names, err := g.NameList("big")
		if err != nil {
			t.Fatalf("Go client NameList(big): %v", err)
		}
		for i := range names {
			names[i] = path.Base(names[i])
		}
		checkNames(t, "Go client NameList(big)", names, want)
	})
}
