// Byte-exact transfers with the Go client (github.com/jlaffaye/ftp) over PASV and EPSV, and
// the fate of an existing file when an upload over it fails.
package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fastftp/fastftp"
	"github.com/jlaffaye/ftp"
)

// goClient logs in with jlaffaye/ftp; every connection it makes (control and data) carries
// a deadline so a stuck server fails the test instead of hanging it.
func (s *testServer) goClient(t testing.TB, epsv bool) *ftp.ServerConn {
	t.Helper()
	dial := func(network, addr string) (net.Conn, error) {
		c, err := net.DialTimeout(network, addr, 5*time.Second)
		if err == nil {
			_ = c.SetDeadline(time.Now().Add(toolTimeout))
		}
		return c, err
	}
	c, err := ftp.Dial(s.Addr, ftp.DialWithDialFunc(dial), ftp.DialWithDisabledEPSV(!epsv))
	if err != nil {
		t.Fatalf("ftp.Dial %s: %v", s.Addr, err)
	}
	t.Cleanup(func() { _ = c.Quit() })
	if err := c.Login(s.User, s.Pass); err != nil {
		t.Fatalf("Login %s: %v", s.User, err)
	}
	return c
}

func TestGoClientTransfers(t *testing.T) {
	t.Parallel()
	noSendfile := withConfig("DisableSendfile", func(c *fastftp.Config) { c.DisableSendfile = true })
	for _, mode := range []struct {
		name string
		epsv bool
		opts []serverOption
	}{
		{"PASV", false, nil},
		{"EPSV", true, nil},
		{"EPSV-no-sendfile", true, []serverOption{noSendfile}}, // the pooled-buffer copy path
	} {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			s := startServer(t, mode.opts...)
			c := s.goClient(t, mode.epsv)
			for i, sz := range sizes {
				t.Run("download/"+sz.name, func(t *testing.T) {
					skipBig(t, sz.n)
					name := "dl-" + sz.name
					want := writeRandomFile(t, filepath.Join(s.Root, name), uint64(i), sz.n)
					r, err := c.Retr(name)
					if err != nil {
						t.Fatalf("RETR %s: %v", name, err)
					}
					h := newHashWriter()
					_, cerr := io.Copy(h, r)
					if err := r.Close(); err != nil || cerr != nil {
						t.Fatalf("RETR %s: copy %v, close %v", name, cerr, err)
					}
					if h.n != sz.n || h.sum() != want {
						t.Fatalf("RETR %s: got %d bytes sha %s, want %d bytes sha %s", name, h.n, h.sum(), sz.n, want)
					}
				})
				t.Run("upload/"+sz.name, func(t *testing.T) {
					skipBig(t, sz.n)
					name := "ul-" + sz.name
					h := newHashWriter()
					if err := c.Stor(name, io.TeeReader(randomReader(uint64(100+i), sz.n), h)); err != nil {
						t.Fatalf("STOR %s: %v", name, err)
					}
					if got := sha256File(t, filepath.Join(s.Root, name)); got != h.sum() {
						t.Fatalf("STOR %s: server file sha %s, sent %d bytes sha %s", name, got, h.n, h.sum())
					}
				})
			}
		})
	}
}

// TestGoClientRestAppend checks REST+RETR, REST+STOR and APPE through the Go client.
func TestGoClientRestAppend(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := s.goClient(t, true)
	data := randomBytes(7, 300_000)
	if err := os.WriteFile(filepath.Join(s.Root, "f"), data, 0o644); err != nil {
		t.Fatal(err)
	}

	r, err := c.RetrFrom("f", 123_456)
	if err != nil {
		t.Fatalf("REST 123456 + RETR f: %v", err)
	}
	got, rerr := io.ReadAll(r)
	if err := r.Close(); err != nil || rerr != nil {
		t.Fatalf("REST+RETR f: read %v, close %v", rerr, err)
	}
	if !bytes.Equal(got, data[123_456:]) {
		t.Fatalf("REST+RETR f: got %d bytes, want the last %d bytes of the file", len(got), len(data)-123_456)
	}

	tail := randomBytes(8, 100_000)
	if err := c.StorFrom("f", bytes.NewReader(tail), 200_000); err != nil {
		t.Fatalf("REST 200000 + STOR f: %v", err)
	}
	want := append(append([]byte(nil), data[:200_000]...), tail...)
	if disk, _ := os.ReadFile(filepath.Join(s.Root, "f")); !bytes.Equal(disk, want) {
		t.Fatalf("REST+STOR f: server file has %d bytes, want %d (old prefix + new tail)", len(disk), len(want))
	}

	more := randomBytes(9, 5_000)
	if err := c.Append("f", bytes.NewReader(more)); err != nil {
		t.Fatalf("APPE f: %v", err)
	}
	want = append(want, more...)
	if disk, _ := os.ReadFile(filepath.Join(s.Root, "f")); !bytes.Equal(disk, want) {
		t.Fatalf("APPE f: server file has %d bytes, want %d", len(disk), len(want))
	}
}

// TestFailedUploadDoesNotSilentlyTruncate overwrites an existing file with an upload that
// fails half-way (data connection reset, or ABOR). The server must not answer 226: the reply
// is 426/451, and the file is either untouched or a prefix of what was sent.
func TestFailedUploadDoesNotSilentlyTruncate(t *testing.T) {
	t.Parallel()
	for _, how := range []string{"reset", "ABOR"} {
		t.Run(how, func(t *testing.T) {
			t.Parallel()
			if how == "reset" {
				// pyftpdlib 1.5.7 answers 226 to a STOR whose data connection was reset and
				// keeps the truncated file: the silent truncation this test exists to catch.
				fastftpOnly(t, "226 after a reset STOR")
			}
			s := startServer(t)
			orig := randomBytes(1, 1<<20)
			path := filepath.Join(s.Root, "keep.bin")
			if err := os.WriteFile(path, orig, 0o644); err != nil {
				t.Fatal(err)
			}
			c := s.login(t)
			c.cmd("TYPE I", 200)
			dc := c.pasv()
			c.cmd("STOR keep.bin", 125, 150)
			sent := randomBytes(2, 256<<10)
			if _, err := dc.Write(sent); err != nil {
				t.Fatalf("write upload data: %v", err)
			}
			switch how {
			case "reset":
				_ = dc.(*net.TCPConn).SetLinger(0) // close sends RST: the server cannot see EOF
				dc.Close()
				c.expectFor("STOR keep.bin after data reset", 426, 451)
			case "ABOR":
				c.send("ABOR")
				code, text := c.expectFor("ABOR during STOR", 426, 451, 225, 226)
				switch {
				case code == 225 && onPeer():
					// pyftpdlib calls a transfer "in progress" only once it has read a
					// byte, so an early ABOR gets a single 225.
				case code == 225 || code == 226:
					t.Fatalf("ABOR during STOR: first reply %q; want 426/451 for the aborted transfer", text)
				default:
					c.expectFor("ABOR during STOR (second reply)", 226, 225)
				}
				dc.Close()
			}
			c.cmd("NOOP", 200)
			disk, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read back: %v", err)
			}
			if !bytes.Equal(disk, orig) && !bytes.HasPrefix(sent, disk) {
				t.Fatalf("file after failed STOR has %d bytes: neither the original nor a prefix of the upload", len(disk))
			}
			t.Logf("file after failed STOR: %d bytes (original %d, sent %d)", len(disk), len(orig), len(sent))
		})
	}
}

// TestPythonFtplib drives the server with Python's ftplib (PASV and PORT transfers, SIZE,
// MKD/CWD/PWD, RNFR/RNTO, MLSD, NLST, LIST, DELE, RMD, a failing RETR and QUIT).
func TestPythonFtplib(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	work := t.TempDir()
	want := writeRandomFile(t, filepath.Join(work, "src.bin"), 61, 1<<20)
	var out bytes.Buffer
	trace, err := runTool(t, &out, "python3", filepath.Join("testdata", "ftplib_client.py"),
		"127.0.0.1", strconv.Itoa(s.Port), s.User, s.Pass, work)
	if err != nil {
		t.Fatalf("ftplib client: %v\n%s", err, tail(trace))
	}
	var res struct {
		StorPassive string `json:"stor_passive"`
		RetrPassive string `json:"retr_passive"`
		StorActive  string `json:"stor_active"`
		RetrActive  string `json:"retr_active"`
		Size        int64
		Mkd         string
		Pwd         string
		Rename      string
		Mlsd        []string
		NlstDir     []string `json:"nlst_dir"`
		ListLines   int      `json:"list_lines"`
		Delete      string
		Rmd         string
		RetrMissing string `json:"retr_missing"`
		Quit        string
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("ftplib client output %q: %v", out.String(), err)
	}
	for _, mode := range []string{"passive", "active"} {
		if got := sha256File(t, filepath.Join(work, "back-"+mode+".bin")); got != want {
			t.Errorf("ftplib %s download: sha %s, want %s", mode, got, want)
		}
	}
	if got := sha256File(t, filepath.Join(s.Root, "up-passive.bin")); got != want {
		t.Errorf("ftplib passive upload: server sha %s, want %s", got, want)
	}
	checks := []struct {
		what, got, prefix string
	}{
		{"STOR (passive)", res.StorPassive, "226"}, {"RETR (passive)", res.RetrPassive, "226"},
		{"STOR (active)", res.StorActive, "226"}, {"RETR (active)", res.RetrActive, "226"},
		{"MKD", res.Mkd, "/dir"}, {"PWD", res.Pwd, "/dir"}, {"RNTO", res.Rename, "250"},
		{"DELE", res.Delete, "250"}, {"RMD", res.Rmd, "250"}, {"RETR nosuch", res.RetrMissing, "550"},
		{"QUIT", res.Quit, "221"},
	}
	for _, c := range checks {
		if !strings.HasPrefix(c.got, c.prefix) {
			t.Errorf("ftplib %s: got %q, want %q...", c.what, c.got, c.prefix)
		}
	}
	if res.Size != 1<<20 {
		t.Errorf("ftplib SIZE: %d", res.Size)
	}
	if !slices.Equal(res.Mlsd, []string{"dir", "up-passive.bin"}) || !slices.Equal(res.NlstDir, []string{"moved.bin"}) {
		t.Errorf("ftplib MLSD %q (want dir, up-passive.bin), NLST dir %q (want moved.bin)", res.Mlsd, res.NlstDir)
	}
	if res.ListLines != 2 {
		t.Errorf("ftplib LIST: %d lines, want 2", res.ListLines)
	}
}
