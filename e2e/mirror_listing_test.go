// Mirror listings: LIST and NLST sorted by name up to the bound (curl, lftp, ftplib), directory
// order past it; owner names and symlink targets in LIST; the listing cache serving an
// unchanged directory and never hiding a create, delete or rename, per user view.
package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fastftp/fastftp"
)

// scrambledNames are created in this order; sorted by bytes they are different.
var scrambledNames = []string{"zeta", "Alpha", "beta", "10-ten", "2-two", "_under", "éclair", "a b", "alpha", "Zulu"}

func TestListSortedRealClients(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	dir := filepath.Join(s.Root, "pub")
	for _, n := range scrambledNames {
		mustWriteFile(t, filepath.Join(dir, n), n)
	}
	if err := os.Symlink("../target/file", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	want := append(slices.Clone(scrambledNames), "link")
	slices.Sort(want) // Go's string order is byte order, as vsftpd's strcmp

	t.Run("curl-NLST", func(t *testing.T) {
		var out bytes.Buffer
		curl(t, &out, "--list-only", s.url("pub/"))
		if got := curlLines(out.String()); !slices.Equal(got, want) {
			t.Fatalf("NLST order\n got %q\nwant %q", got, want)
		}
	})
	t.Run("curl-LIST", func(t *testing.T) {
		var out bytes.Buffer
		curl(t, &out, s.url("pub/"))
		var got []string
		owner := ""
		if u, err := user.Current(); err == nil {
			owner = u.Username
		}
		for _, l := range curlLines(out.String()) {
			name, ok := listName(l)
			if !ok {
				t.Fatalf("not an ls -l line: %q", l)
			}
			if l[0] == 'l' {
				if name != "link -> ../target/file" {
					t.Fatalf("symlink line %q: want name -> target", l)
				}
				name = "link"
			}
			if f := strings.Fields(l); owner != "" && !onPeer() && f[2] != owner {
				t.Fatalf("owner column %q, want the user name %q: %q", f[2], owner, l)
			}
			got = append(got, name)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("LIST order\n got %q\nwant %q", got, want)
		}
	})
	t.Run("lftp", func(t *testing.T) {
		// lftp's ls and nlist print the server's LIST and NLST output as it came.
		var out bytes.Buffer
		full := fmt.Sprintf("set net:max-retries 1; set net:timeout 10; set cmd:fail-exit yes; "+
			"open -u %s,%s -p %d ftp://127.0.0.1; nlist pub; ls pub", s.User, s.Pass, s.Port)
		if trace, err := runTool(t, &out, "lftp", "-c", full); err != nil {
			t.Fatalf("lftp: %v\n%s", err, tail(trace))
		}
		lines := curlLines(out.String())
		if len(lines) != 2*len(want) {
			t.Fatalf("lftp printed %d lines, want %d:\n%s", len(lines), 2*len(want), out.String())
		}
		var nlst, list []string
		for _, l := range lines[:len(want)] {
			nlst = append(nlst, filepath.Base(l))
		}
		for _, l := range lines[len(want):] {
			name, _ := listName(l)
			name, _, _ = strings.Cut(name, " -> ")
			list = append(list, name)
		}
		// Under LC_ALL=C lftp shows each non-ASCII character as '?' when the server says
		// its names are UTF-8 (fastftpd does; lftp prints pyftpdlib's raw).
		ascii := make([]string, len(want))
		for i, n := range want {
			ascii[i] = strings.Map(func(r rune) rune {
				if r > 127 {
					return '?'
				}
				return r
			}, n)
		}
		if !onPeer() && (!slices.Equal(nlst, ascii) || !slices.Equal(list, ascii)) ||
			onPeer() && (!slices.Equal(nlst, want) || !slices.Equal(list, want)) {
			t.Fatalf("lftp order\nnlist %q\nls    %q\nwant  %q", nlst, list, ascii)
		}
	})
	t.Run("ftplib", func(t *testing.T) {
		prog := fmt.Sprintf(`import ftplib
f = ftplib.FTP()
f.connect("127.0.0.1", %d, timeout=30)
f.login(%q, %q)
f.encoding = "utf-8"
for n in f.nlst("pub"):
    print("N " + n.rsplit("/", 1)[-1])
f.retrlines("LIST pub", lambda l: print("L " + l))
f.quit()
`, s.Port, s.User, s.Pass)
		var out bytes.Buffer
		if trace, err := runTool(t, &out, "python3", "-c", prog); err != nil {
			t.Fatalf("python3: %v\n%s", err, tail(trace))
		}
		var nlst, list []string
		for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
			switch {
			case strings.HasPrefix(l, "N "):
				nlst = append(nlst, l[2:])
			case strings.HasPrefix(l, "L "):
				name, _ := listName(l[2:])
				name, _, _ = strings.Cut(name, " -> ")
				list = append(list, name)
			}
		}
		if !slices.Equal(nlst, want) || !slices.Equal(list, want) {
			t.Fatalf("ftplib order\nnlst %q\nlist %q\nwant %q", nlst, list, want)
		}
	})
}

// TestListPastSortBound: a directory larger than ListSortMax goes out in directory order,
// complete.
func TestListPastSortBound(t *testing.T) {
	t.Parallel()
	s := startServer(t, withConfig("ListSortMax", func(c *fastftp.Config) { c.ListSortMax = 50 }))
	want := makeBigDir(t, s.Root, "big", "f-", 300)
	d, err := os.Open(filepath.Join(s.Root, "big"))
	if err != nil {
		t.Fatal(err)
	}
	ents, err := d.ReadDir(-1) // getdents order, unsorted
	d.Close()
	if err != nil {
		t.Fatal(err)
	}
	var dirOrder []string
	for _, e := range ents {
		dirOrder = append(dirOrder, e.Name())
	}
	c := s.login(t)
	got := crlfLines(t, "NLST big", c.retr("NLST big"))
	for i := range got {
		got[i] = filepath.Base(got[i])
	}
	checkNames(t, "NLST big", got, want)
	if !slices.Equal(got, dirOrder) {
		t.Fatalf("past the bound NLST is not in directory order: first %q, want %q", got[:5], dirOrder[:5])
	}
	// Within the bound: sorted.
	small := makeBigDir(t, s.Root, "small", "s-", 40)
	got = crlfLines(t, "NLST small", c.retr("NLST small"))
	for i := range got {
		got[i] = filepath.Base(got[i])
	}
	if !slices.Equal(got, small) {
		t.Fatalf("NLST small not sorted: %q", got)
	}
}

func mustWriteFile(t testing.TB, name, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// age sets a directory's mtime an hour back, so the listing cache may store it (it never
// stores a directory modified within the last 2 s).
func age(t testing.TB, dir string) {
	t.Helper()
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(dir, old, old); err != nil {
		t.Fatal(err)
	}
}

// listSizes returns name -> size column of a LIST.
func listSizes(t testing.TB, c *ctrl, line string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, l := range crlfLines(t, line, c.retr(line)) {
		name, ok := listName(l)
		if !ok {
			t.Fatalf("%s: bad line %q", line, l)
		}
		m[name] = strings.Fields(l)[4]
	}
	return m
}

func TestListCacheInvalidation(t *testing.T) {
	t.Parallel()
	fastftpOnly(t, "the listing cache is fastftp's")
	s := startServer(t, withConfig("a long cache age", func(c *fastftp.Config) { c.ListCacheMaxAge = time.Hour }))
	dir := filepath.Join(s.Root, "d")
	mustWriteFile(t, filepath.Join(dir, "a"), "1")
	mustWriteFile(t, filepath.Join(dir, "b"), "22")
	age(t, dir)
	c := s.login(t)

	first := listSizes(t, c, "LIST d")
	if first["a"] != "1" || first["b"] != "2" {
		t.Fatalf("LIST d = %v", first)
	}
	// An in-place write does not touch the directory: the cached listing is served (this
	// is what proves the cache is in use, and why ListCacheMaxAge exists).
	mustWriteFile(t, filepath.Join(dir, "a"), "1234")
	if got := listSizes(t, c, "LIST d"); got["a"] != "1" {
		t.Fatalf("second LIST of an unchanged directory not served from the cache: %v", got)
	}
	if st := s.srv.ListCacheStats(); st.Hits != 1 || st.Stores != 1 || st.Entries != 1 || st.Bytes > st.MaxBytes {
		t.Fatalf("cache counters after two LISTs: %+v", st)
	}

	// Every change to the directory shows in the next listing.
	checkList := func(what string, want ...string) {
		t.Helper()
		var got []string
		for n := range listSizes(t, c, "LIST d") {
			got = append(got, n)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("after %s: LIST d = %q, want %q", what, got, want)
		}
		nlst := crlfLines(t, "NLST d", c.retr("NLST d"))
		for i := range nlst {
			nlst[i] = filepath.Base(nlst[i])
		}
		if !slices.Equal(nlst, want) {
			t.Fatalf("after %s: NLST d = %q, want %q", what, nlst, want)
		}
	}
	c.stor("STOR d/c", []byte("333"))
	checkList("STOR", "a", "b", "c")
	age(t, dir)
	checkList("aging", "a", "b", "c") // stored again
	c.cmd("RNFR d/c", 350)
	c.cmd("RNTO d/c2", 250)
	checkList("RNFR/RNTO", "a", "b", "c2")
	age(t, dir)
	checkList("aging", "a", "b", "c2")
	c.cmd("DELE d/b", 250)
	checkList("DELE", "a", "c2")

	// A change that leaves the mtime where it was (a coarse-timestamp filesystem, or a
	// touch -d after it) still changes ctime, which is in the key.
	age(t, dir)
	checkList("aging", "a", "c2")
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	mustWriteFile(t, filepath.Join(dir, "same-mtime"), "x")
	if err := os.Chtimes(dir, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	checkList("a create hidden from mtime", "a", "c2", "same-mtime")

	// A directory modified within the last 2 s is never stored: an in-place write shows.
	mustWriteFile(t, filepath.Join(s.Root, "fresh", "f"), "1")
	listSizes(t, c, "LIST fresh")
	mustWriteFile(t, filepath.Join(s.Root, "fresh", "f"), "12345")
	if got := listSizes(t, c, "LIST fresh"); got["f"] != "5" {
		t.Fatalf("a freshly modified directory was cached: %v", got)
	}
}

// TestListCacheUserViews: MLSD's perm facts differ between a read-write user and an
// anonymous read-only one listing the same (cached) directory.
func TestListCacheUserViews(t *testing.T) {
	t.Parallel()
	fastftpOnly(t, "the listing cache is fastftp's")
	s := startServer(t)
	dir := filepath.Join(s.Root, "shared")
	mustWriteFile(t, filepath.Join(dir, "f"), "x")
	mustWriteFile(t, filepath.Join(dir, "sub", "g"), "y")
	age(t, dir)
	perms := func(c *ctrl) string {
		var facts []string
		for _, l := range crlfLines(t, "MLSD shared", c.retr("MLSD shared")) {
			f, name, _ := strings.Cut(l, " ")
			for _, fact := range strings.Split(f, ";") {
				if v, ok := strings.CutPrefix(fact, "perm="); ok {
					facts = append(facts, name+":"+v)
				}
			}
		}
		slices.Sort(facts)
		return strings.Join(facts, " ")
	}
	rw := s.login(t)
	anon := s.dial(t)
	anon.loginAs(anonUser, anonPass)
	for range 2 { // the second round is served from the cache
		pw, pa := perms(rw), perms(anon)
		if !strings.Contains(pw, "f:") || pw == pa || strings.ContainsAny(strings.ReplaceAll(pa, "f:", ""), "dfw") {
			t.Fatalf("perm facts: user %q, anonymous %q", pw, pa)
		}
	}
}

// TestListCacheTransferPath: a listing served from the cache goes through the same
// transfer path as an encoded one: paced by the download limit and counted in the
// transfer log with the bytes the client received.
func TestListCacheTransferPath(t *testing.T) {
	t.Parallel()
	fastftpOnly(t, "the listing cache is fastftp's")
	const limit = 100 << 10
	s := startServer(t, withConfig("a download limit", func(c *fastftp.Config) {
		c.WriteLimit = limit
		c.ListCacheMaxAge = time.Hour
	}))
	makeBigDir(t, s.Root, "d", "entry-with-a-longish-name-", 1500)
	age(t, filepath.Join(s.Root, "d"))
	c := s.login(t)
	var sizes []int
	var listings [2][]byte
	for i := range 2 {
		start := time.Now()
		data := c.retr("LIST d")
		took := time.Since(start)
		sizes = append(sizes, len(data))
		listings[i] = data
		// Allow the bucket's initial burst (a second's worth) and scheduling slack.
		if min := time.Duration(float64(len(data)-limit) / limit * float64(time.Second) * 0.8); took < min {
			t.Fatalf("LIST %d: %d bytes in %v, faster than the %d B/s limit allows (%v)", i+1, len(data), took, limit, min)
		}
		if i == 0 {
			// Proof that the second LIST comes from the cache: a change the directory's
			// mtime does not see would show in an encoded listing.
			mustWriteFile(t, filepath.Join(s.Root, "d", "entry-with-a-longish-name-00000.dat"), "grown")
		}
	}
	if sizes[0] < limit+limit/4 || !bytes.Equal(listings[0], listings[1]) {
		t.Fatalf("listing sizes %v: want two identical listings of over %d bytes (the second cached)", sizes, limit+limit/4)
	}
	if st := s.srv.ListCacheStats(); st.Hits != 1 {
		t.Fatalf("cache counters: %+v, want the second LIST served from the cache", st)
	}
	logs := s.logs.String()
	want := fmt.Sprintf("dir=list path=/d bytes=%d ", sizes[1])
	if n := strings.Count(logs, want); n != 2 {
		t.Fatalf("transfer log has %d lines with %q, want 2:\n%s", n, want, logs)
	}
}

// TestListCacheTooBig: a listing larger than a quarter of the cache is collected up to
// that size, then sent whole (the collected part, then the rest streamed), and not stored;
// the next request streams it at once.
func TestListCacheTooBig(t *testing.T) {
	t.Parallel()
	fastftpOnly(t, "the listing cache is fastftp's")
	s := startServer(t, withConfig("a 64 KiB listing cache", func(c *fastftp.Config) { c.ListCacheBytes = 64 << 10 }))
	want := makeBigDir(t, s.Root, "d", "a-name-long-enough-to-pass-16-KiB-soon-", 1000)
	age(t, filepath.Join(s.Root, "d"))
	c := s.login(t)
	for i := range 2 {
		var got []string
		for _, l := range crlfLines(t, "LIST d", c.retr("LIST d")) {
			name, ok := listName(l)
			if !ok {
				t.Fatalf("LIST %d: bad line %q", i+1, l)
			}
			got = append(got, name)
		}
		checkNames(t, fmt.Sprintf("LIST %d", i+1), got, want)
		if !slices.IsSorted(got) {
			t.Fatalf("LIST %d of 1,000 entries is not sorted", i+1)
		}
	}
	if st := s.srv.ListCacheStats(); st.Stores != 0 || st.Hits != 0 || st.Bytes != 0 {
		t.Fatalf("a listing over the entry bound was cached: %+v", st)
	}
}
