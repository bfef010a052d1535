//go:build unix

package main

import (
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// procIDs returns the Uid and Gid fields of a /proc status file (real, effective, saved, fs).
func procIDs(t *testing.T, status string) (uid, gid []string) {
	t.Helper()
	b, err := os.ReadFile(status)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 5 && f[0] == "Uid:":
			uid = f[1:]
		case len(f) == 5 && f[0] == "Gid:":
			gid = f[1:]
		}
	}
	return uid, gid
}

func defaultAccount(t *testing.T) (name string, uid, gid int) {
	t.Helper()
	for _, n := range []string{"ftp", "nobody"} {
		if u, err := user.Lookup(n); err == nil {
			uid, _ = strconv.Atoi(u.Uid)
			gid, _ = strconv.Atoi(u.Gid)
			return n, uid, gid
		}
	}
	t.Skip("neither ftp nor nobody exists")
	return "", 0, 0
}

// TestDropsRootAfterBinding runs the binary as root, anonymous and writable: it binds, then
// runs as ftp (or nobody) in every id of /proc/PID/status, and an uploaded file belongs to
// that account, not to root. A virtual-user server with --run-as does the same.
func TestDropsRootAfterBinding(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root (CI runs as root)")
	}
	bin := buildBinary(t)
	name, uid, gid := defaultAccount(t)
	for _, c := range []struct {
		what string
		args []string
		user string
	}{
		{"anonymous, no --run-as", []string{"-w"}, "anonymous"},
		{"virtual user, --run-as", []string{"-w", "-u", "alice", "-P", "pw", "--run-as", name}, "alice"},
	} {
		t.Run(c.what, func(t *testing.T) {
			home := filepath.Join(publicDir(t), "pub")
			os.Mkdir(home, 0o755)
			if err := os.Chown(home, uid, gid); err != nil {
				t.Fatal(err)
			}
			cmd, port, log := startBinary(t, bin, home, append([]string{"-i", "127.0.0.1", "-p", "0", "-d", home}, c.args...)...)
			if !strings.Contains(log.String(), "run_as=\""+name+" (") {
				t.Errorf("effective configuration does not name %s:\n%s", name, log.String())
			}
			u, g := procIDs(t, "/proc/"+strconv.Itoa(cmd.Process.Pid)+"/status")
			want := strconv.Itoa(uid)
			if len(u) != 4 || u[0] != want || u[1] != want || u[2] != want || u[3] != want {
				t.Fatalf("Uid: %v, want %s four times", u, want)
			}
			if len(g) != 4 || g[0] != strconv.Itoa(gid) || g[1] != strconv.Itoa(gid) || g[2] != strconv.Itoa(gid) {
				t.Fatalf("Gid: %v, want %d", g, gid)
			}
			// Every thread (event loops, workers), not only the first.
			tasks, _ := filepath.Glob("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/task/*/status")
			if len(tasks) < 2 {
				t.Fatalf("%d threads in /proc; want the event loops too", len(tasks))
			}
			for _, task := range tasks {
				if u, _ := procIDs(t, task); len(u) != 4 || u[1] != want || u[2] != want {
					t.Fatalf("%s: Uid %v, want %s", task, u, want)
				}
			}
			conn, err := dialLogin("127.0.0.1:"+port, c.user, "pw")
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Quit()
			if err := conn.Stor("up.txt", strings.NewReader("hello")); err != nil {
				t.Fatalf("STOR as %s: %v\n%s", name, err, log.String())
			}
			fi, err := os.Stat(filepath.Join(home, "up.txt"))
			if err != nil {
				t.Fatal(err)
			}
			if st := fi.Sys().(*syscall.Stat_t); st.Uid == 0 || int(st.Uid) != uid {
				t.Fatalf("uploaded file belongs to uid %d, want %d", st.Uid, uid)
			}
		})
	}
}

// TestRunAsRefusals: --run-as with [system_users] (which needs root) and an unknown
// account are refused at start with a sentence, exit status 2.
func TestRunAsRefusals(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root (CI runs as root)")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "sys.toml")
	os.WriteFile(path, []byte("[server]\nlisten = [\"127.0.0.1:0\"]\n[system_users]\nenabled = true\n"), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-c", path, "--run-as", "nobody"}, "--run-as nobody cannot be used with [system_users]"},
		{[]string{"-d", dir, "-p", "0", "--run-as", "no-such-account-x"}, "--run-as no-such-account-x: user: unknown user"},
	} {
		code, out := runBinary(t, bin, c.args...)
		if code != 2 || !strings.Contains(out, c.want) {
			t.Errorf("fastftpd %v: exit %d, %q; want exit 2 and %q", c.args, code, out, c.want)
		}
	}
}
