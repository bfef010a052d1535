// lftp mirror of a small tree in both directions (download and -R upload), compared file
// by file: names, types, sizes and sha256.
package e2e

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// makeTree writes a tree of a few nested directories (one empty) and 50 files: an empty
// one, a 1-byte one, a name with a space, and sizes up to ~200 KiB.
func makeTree(t testing.TB, dir string) {
	t.Helper()
	dirs := []string{"", "a", "a/b", "a/b/c", "d", "d/e", "empty-dir"}
	for _, d := range dirs {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 50; i++ {
		size := int64(i*i*97) % (200 << 10)
		name := fmt.Sprintf("f%02d.bin", i)
		switch i {
		case 0:
			name, size = "empty.txt", 0
		case 1:
			name, size = "one-byte", 1
		case 2:
			name = "with space.txt"
		}
		writeRandomFile(t, filepath.Join(dir, dirs[i%(len(dirs)-1)], name), uint64(1000+i), size)
	}
}

type treeEntry struct {
	dir  bool
	size int64
	sum  string
}

func readTree(t testing.TB, dir string) map[string]treeEntry {
	t.Helper()
	tree := make(map[string]treeEntry)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "." {
			return nil
		}
		if d.IsDir() {
			tree[rel] = treeEntry{dir: true}
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		tree[rel] = treeEntry{size: info.Size(), sum: sha256File(t, p)}
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", dir, err)
	}
	return tree
}

func compareTrees(t testing.TB, what, wantDir, gotDir string) {
	t.Helper()
	want, got := readTree(t, wantDir), readTree(t, gotDir)
	bad := 0
	for p, w := range want {
		g, ok := got[p]
		switch {
		case !ok:
			t.Errorf("%s: %s missing", what, p)
		case g != w:
			t.Errorf("%s: %s differs: got dir=%v size=%d, want dir=%v size=%d", what, p, g.dir, g.size, w.dir, w.size)
		default:
			continue
		}
		if bad++; bad > 10 {
			t.FailNow()
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			t.Errorf("%s: unexpected %s", what, p)
		}
	}
	if len(want) < 55 {
		t.Fatalf("%s: the reference tree has only %d entries", what, len(want))
	}
}

// lftp runs one lftp script against s with bounded retries and timeouts.
func lftp(t *testing.T, s *testServer, script string) {
	t.Helper()
	full := fmt.Sprintf("set net:max-retries 1; set net:timeout 10; set cmd:fail-exit yes; "+
		"open -u %s,%s -p %d ftp://127.0.0.1; %s", s.User, s.Pass, s.Port, script)
	out, err := runTool(t, nil, "lftp", "-c", full)
	if err != nil {
		t.Fatalf("lftp -c %q: %v\n%s", full, err, tail(out))
	}
}

func TestLftpMirror(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{"download", "upload"} {
		t.Run(dir, func(t *testing.T) {
			t.Parallel()
			s := startServer(t)
			local := t.TempDir()
			if dir == "download" {
				src := filepath.Join(s.Root, "tree")
				makeTree(t, src)
				dst := filepath.Join(local, "got")
				lftp(t, s, "mirror --parallel=3 /tree "+dst) // several sessions at once
				compareTrees(t, "lftp mirror", src, dst)
			} else {
				src := filepath.Join(local, "tree")
				makeTree(t, src)
				lftp(t, s, "mirror -R "+src+" /up")
				compareTrees(t, "lftp mirror -R", src, filepath.Join(s.Root, "up"))
			}
		})
	}
}

// TestLftpListing checks that lftp's "cls" (which parses MLSD or LIST) sees a mixed
// directory exactly.
func TestLftpListing(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	makeTree(t, filepath.Join(s.Root, "tree"))
	var out strings.Builder
	full := fmt.Sprintf("set net:max-retries 1; set net:timeout 10; set cmd:fail-exit yes; "+
		"open -u %s,%s -p %d ftp://127.0.0.1; cls -1 --sort=name /tree/a/", s.User, s.Pass, s.Port)
	trace, err := runTool(t, &out, "lftp", "-c", full)
	if err != nil {
		t.Fatalf("lftp cls: %v\n%s", err, tail(trace))
	}
	entries, err := os.ReadDir(filepath.Join(s.Root, "tree", "a"))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() {
			n += "/"
		}
		want = append(want, "/tree/a/"+n)
	}
	got := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	checkNames(t, "lftp cls /tree/a/", got, want)
}
