package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jlaffaye/ftp"

	"github.com/fastftp/fastftp/config"
)

// runBinary runs fastftpd to completion (bounded) and returns its exit status and output.
func runBinary(t *testing.T, bin string, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, string(out)
	case errors.As(err, &ee):
		return ee.ExitCode(), string(out)
	}
	t.Fatalf("fastftpd %v: %v\n%s", args, err, out)
	return 0, ""
}

// userFile writes a config file with one [[user]] (alice, password "pw") listening on
// 127.0.0.1 only.
func userFile(t *testing.T, bin string) (path, home string) {
	t.Helper()
	home = t.TempDir()
	path = filepath.Join(t.TempDir(), "ftp.toml")
	doc := fmt.Sprintf("[server]\nlisten = [\"127.0.0.1:2121\"]\n[[user]]\nname = \"alice\"\npassword = %q\nhome = %q\nperm = \"elr\"\n",
		hashWithBinary(t, bin, "pw"), home)
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, home
}

// TestFlagsNeverWidenTheFile: with --config, the flags that would replace the file's
// users (-w, -d, -u, -P) or widen its listen addresses (-i) are refused with a sentence
// that says so, exit status 2; -p changes only the port of the file's addresses.
func TestFlagsNeverWidenTheFile(t *testing.T) {
	bin := buildBinary(t)
	path, _ := userFile(t, bin)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-w"}, "-w/--write cannot be used with --config: it would replace the users of " + path + " (1 user(s): alice \"elr\")"},
		{[]string{"-d", t.TempDir()}, "-d/--directory cannot be used with --config: it would replace the users"},
		{[]string{"-u", "bob", "-P", "x"}, "-u/--username cannot be used with --config"},
		{[]string{"-P", "x"}, "-P/--password cannot be used with --config"},
		{[]string{"-i", "0.0.0.0"}, "-i 0.0.0.0 would widen server.listen of " + path + " (127.0.0.1:2121)"},
		{[]string{"-i", "::1", "-p", "0"}, "would widen server.listen"},
		{[]string{"--metrics", ":9121"}, "--metrics :9121 would widen metrics.listen of " + path + " (127.0.0.1:9121)"},
	} {
		if c.args[0] == "--metrics" { // the file's metrics.listen, in a copy of the file
			doc, _ := os.ReadFile(path)
			os.WriteFile(path+".m", append(doc, "[metrics]\nlisten = \"127.0.0.1:9121\"\n"...), 0o644)
			code, out := runBinary(t, bin, append([]string{"-c", path + ".m"}, c.args...)...)
			if code != 2 || !strings.Contains(out, strings.Replace(c.want, path, path+".m", 1)) {
				t.Errorf("fastftpd -c FILE %v: exit %d, %q; want exit 2 and %q", c.args, code, out, c.want)
			}
			continue
		}
		code, out := runBinary(t, bin, append([]string{"-c", path}, c.args...)...)
		if code != 2 || !strings.Contains(out, c.want) || strings.Count(out, "\n") != 1 {
			t.Errorf("fastftpd -c FILE %v: exit %d, %q; want exit 2 and one line containing %q", c.args, code, out, c.want)
		}
	}

	// -p 0: the file's host stays (127.0.0.1), its users stay, anonymous stays off.
	_, port, log := startBinary(t, bin, t.TempDir(), "-c", path, "-p", "0")
	if !strings.Contains(log.String(), `msg="starting FTP server" address=127.0.0.1:`) ||
		!strings.Contains(log.String(), "listen=127.0.0.1:"+port) || !strings.Contains(log.String(), `access="1 user(s): alice`) {
		t.Fatalf("-p 0 with listen = [\"127.0.0.1:2121\"]: log\n%s", log.String())
	}
	c, err := ftp.Dial("127.0.0.1:"+port, ftp.DialWithTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Quit()
	if err := c.Login("anonymous", "x"); err == nil {
		t.Fatal("anonymous login succeeded on a server whose file has only [[user]] alice")
	}
	c2, err := ftp.Dial("127.0.0.1:"+port, ftp.DialWithTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Quit()
	if err := c2.Login("alice", "pw"); err != nil {
		t.Fatalf("the file's user cannot log in: %v", err)
	}
}

// TestFlagOverridesOnlyItsKey: a flag given with --config changes its own key and nothing
// else; the effective configuration is logged once.
func TestFlagOverridesOnlyItsKey(t *testing.T) {
	bin := buildBinary(t)
	path, _ := userFile(t, bin)
	doc, _ := os.ReadFile(path)
	doc = []byte(strings.Replace(string(doc), "[server]\n", "[server]\nmax_cons = 7\nidle_timeout = \"2m\"\npassive_ports = \"40000-40099\"\n", 1))
	os.WriteFile(path, doc, 0o644)
	_, _, log := startBinary(t, bin, t.TempDir(), "-c", path, "-p", "0", "--timeout", "90", "--max-cons-per-ip", "3")
	l := log.String()
	if strings.Count(l, "effective configuration") != 1 {
		t.Fatalf("effective configuration logged %d times:\n%s", strings.Count(l, "effective configuration"), l)
	}
	for _, want := range []string{"idle_timeout=1m30s", "max_cons=7", "max_cons_per_ip=3", "passive_ports=40000-40099",
		"read_only=true", "tls=off", "login_timeout=1m0s"} {
		if !strings.Contains(l, want) {
			t.Errorf("log lacks %q:\n%s", want, l)
		}
	}
}

// TestListenPrecedence: -p keeps the file's hosts; -i narrows "every address" and is
// accepted for the address the file already names.
func TestListenPrecedence(t *testing.T) {
	for _, c := range []struct {
		listen string
		args   []string
		want   string
	}{
		{`[":21", ":2121"]`, []string{"-p", "2121"}, "[:2121]"},
		{`["127.0.0.1:21", "[::1]:21"]`, []string{"-p", "0"}, "[127.0.0.1:0 [::1]:0]"},
		{`[":2121"]`, []string{"-i", "127.0.0.1"}, "[127.0.0.1:2121]"},
		{`["0.0.0.0:21"]`, []string{"-i", "::1", "-p", "2121"}, "[[::1]:2121]"},
		{`["127.0.0.1:21"]`, []string{"-i", "127.0.0.1", "-p", "0"}, "[127.0.0.1:0]"},
		{`["127.0.0.1:21"]`, nil, "[127.0.0.1:21]"},
	} {
		f, err := config.Parse(filepath.Join(t.TempDir(), "f.toml"), []byte("[server]\nlisten = "+c.listen+"\n"))
		if err != nil {
			t.Fatal(err)
		}
		st, err := buildArgs(t, c.args, f)
		if err != nil {
			t.Errorf("listen = %s with %v: %v", c.listen, c.args, err)
			continue
		}
		if got := fmt.Sprint(st.listen); got != c.want {
			t.Errorf("listen = %s with %v: %s, want %s", c.listen, c.args, got, c.want)
		}
	}
}
