// Byte-exact transfers, resumes and listings with curl in each data-connection mode (PASV,
// EPSV, PORT, EPRT); curl's -v trace proves which mode was really used (curl silently falls
// back from EPSV to PASV and from EPRT to PORT).
package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var curlModes = []struct {
	name    string
	args    []string
	want    string // the command curl must send
	notWant string // the fallback it must not need
}{
	{"PASV", []string{"--ftp-pasv", "--disable-epsv"}, "> PASV", "> EPSV"},
	{"EPSV", nil, "> EPSV", "> PASV"},
	{"PORT", []string{"-P", "127.0.0.1", "--disable-eprt"}, "> PORT ", "> EPRT"},
	{"EPRT", []string{"-P", "127.0.0.1"}, "> EPRT ", "> PORT "},
}

// url returns an ftp:// URL for a path relative to the login directory.
func (s *testServer) url(path string) string {
	u := url.URL{Scheme: "ftp", User: url.UserPassword(s.User, s.Pass), Host: s.Addr, Path: "/" + path}
	return u.String()
}

// curl runs curl verbosely with timeouts; stdout goes to out (nil: into the trace). It
// returns the -v trace, in which lines starting "> " are the commands curl sent.
func curl(t *testing.T, out io.Writer, args ...string) (trace string) {
	t.Helper()
	base := []string{"-q", "-v", "-sS", "--connect-timeout", "5", "--max-time", "60"}
	trace, err := runTool(t, out, "curl", append(base, args...)...)
	if err != nil {
		t.Fatalf("curl %s: %v\n%s", strings.Join(args, " "), err, tail(trace))
	}
	return trace
}

// curlLines splits a listing curl printed; curl turns the TYPE A CRLFs into LFs.
func curlLines(s string) []string {
	lines := strings.Split(strings.TrimRight(s, "\r\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}

// tail keeps the end of a long tool trace for failure messages.
func tail(s string) string {
	if len(s) > 3000 {
		return "..." + s[len(s)-3000:]
	}
	return s
}

func checkMode(t *testing.T, trace, want, notWant string) {
	t.Helper()
	if !strings.Contains(trace, want) || strings.Contains(trace, notWant) {
		t.Fatalf("curl did not use %q alone (saw %q: %v)\n%s", want, notWant, strings.Contains(trace, notWant), tail(trace))
	}
}

func TestCurlTransfers(t *testing.T) {
	t.Parallel()
	for _, mode := range curlModes {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			s := startServer(t)
			local := t.TempDir()
			for i, sz := range sizes {
				t.Run("download/"+sz.name, func(t *testing.T) {
					skipBig(t, sz.n)
					name := "dl-" + sz.name
					want := writeRandomFile(t, filepath.Join(s.Root, name), uint64(i), sz.n)
					h := newHashWriter()
					trace := curl(t, h, append(slices.Clone(mode.args), s.url(name))...)
					checkMode(t, trace, mode.want, mode.notWant)
					if h.n != sz.n || h.sum() != want {
						t.Fatalf("curl RETR %s: got %d bytes sha %s, want %d bytes sha %s", name, h.n, h.sum(), sz.n, want)
					}
				})
				t.Run("upload/"+sz.name, func(t *testing.T) {
					skipBig(t, sz.n)
					name := "ul-" + sz.name
					src := filepath.Join(local, name)
					want := writeRandomFile(t, src, uint64(50+i), sz.n)
					trace := curl(t, nil, append(slices.Clone(mode.args), "-T", src, s.url(name))...)
					checkMode(t, trace, mode.want, mode.notWant)
					if got := sha256File(t, filepath.Join(s.Root, name)); got != want {
						t.Fatalf("curl STOR %s: server sha %s, want %s", name, got, want)
					}
				})
			}
		})
	}
}

func TestCurlResume(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	local := t.TempDir()
	full := randomBytes(3, 1<<20)
	const have = 300_000

	t.Run("download", func(t *testing.T) {
		if err := os.WriteFile(filepath.Join(s.Root, "big"), full, 0o644); err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(local, "big.part")
		if err := os.WriteFile(dst, full[:have], 0o644); err != nil {
			t.Fatal(err)
		}
		trace := curl(t, nil, "-C", "-", "-o", dst, s.url("big"))
		if !strings.Contains(trace, fmt.Sprintf("> REST %d", have)) {
			t.Fatalf("curl -C - did not send REST %d:\n%s", have, tail(trace))
		}
		if got, _ := os.ReadFile(dst); !bytes.Equal(got, full) {
			t.Fatalf("resumed download has %d bytes, want %d identical bytes", len(got), len(full))
		}
	})

	t.Run("upload", func(t *testing.T) {
		src := filepath.Join(local, "up.src")
		if err := os.WriteFile(src, full, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(s.Root, "up"), full[:have], 0o644); err != nil {
			t.Fatal(err)
		}
		trace := curl(t, nil, "-C", "-", "-T", src, s.url("up"))
		if !strings.Contains(trace, "> SIZE up") {
			t.Fatalf("curl -C - -T did not ask the size:\n%s", tail(trace))
		}
		if got, _ := os.ReadFile(filepath.Join(s.Root, "up")); !bytes.Equal(got, full) {
			t.Fatalf("resumed upload left %d bytes on the server, want %d identical bytes", len(got), len(full))
		}
	})
}

func TestCurlList(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	want := []string{"a.txt", "b.bin", "empty", "sub", "with space"}
	for _, n := range []string{"a.txt", "b.bin", "empty", "with space"} {
		size := len(n)
		if n == "empty" {
			size = 0
		}
		if err := os.WriteFile(filepath.Join(s.Root, n), randomBytes(4, size), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(s.Root, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}

	t.Run("list-only", func(t *testing.T) {
		var out bytes.Buffer
		trace := curl(t, &out, "--list-only", s.url(""))
		if !strings.Contains(trace, "> NLST") {
			t.Fatalf("curl --list-only did not send NLST:\n%s", tail(trace))
		}
		got := curlLines(out.String())
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("NLST names %q, want %q", got, want)
		}
	})

	t.Run("plain", func(t *testing.T) {
		var out bytes.Buffer
		trace := curl(t, &out, s.url(""))
		if !strings.Contains(trace, "> LIST") {
			t.Fatalf("curl did not send LIST:\n%s", tail(trace))
		}
		var got []string
		for _, line := range curlLines(out.String()) {
			name, ok := listName(line)
			if !ok {
				t.Fatalf("LIST line not in ls -l form: %q", line)
			}
			if (line[0] == 'd') != (name == "sub") {
				t.Fatalf("LIST line has the wrong type for %s: %q", name, line)
			}
			got = append(got, name)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("LIST names %q, want %q", got, want)
		}
	})
}

// TestIPv6 moves a file each way over ::1 with EPSV and EPRT (RFC 2428), the only modes
// that carry IPv6 addresses.
func TestIPv6(t *testing.T) {
	t.Parallel()
	s := startServer(t, onIPv6())
	local := t.TempDir()
	want := writeRandomFile(t, filepath.Join(s.Root, "six.bin"), 66, 1<<20)
	for _, mode := range curlModes {
		if mode.name != "EPSV" && mode.name != "EPRT" {
			continue
		}
		t.Run(mode.name, func(t *testing.T) {
			args := slices.Clone(mode.args)
			if mode.name == "EPRT" {
				args = []string{"-P", "::1"}
			}
			h := newHashWriter()
			trace := curl(t, h, append(slices.Clone(args), s.url("six.bin"))...)
			checkMode(t, trace, mode.want, mode.notWant)
			if h.sum() != want {
				t.Fatalf("download over ::1 with %s: %d bytes, sha mismatch", mode.name, h.n)
			}
			src := filepath.Join(local, "six.bin")
			up := writeRandomFile(t, src, 67, 1<<20)
			name := "up-" + mode.name
			trace = curl(t, nil, append(args, "-T", src, s.url(name))...)
			checkMode(t, trace, mode.want, mode.notWant)
			if got := sha256File(t, filepath.Join(s.Root, name)); got != up {
				t.Fatalf("upload over ::1 with %s: sha mismatch", mode.name)
			}
		})
	}
	c := s.goClient(t, true)
	if err := c.Stor("go.bin", bytes.NewReader([]byte("over ipv6"))); err != nil {
		t.Fatalf("Go client STOR over ::1 (EPSV): %v", err)
	}
	if got, _ := os.ReadFile(filepath.Join(s.Root, "go.bin")); string(got) != "over ipv6" {
		t.Fatalf("Go client STOR over ::1 stored %q", got)
	}
}
