// runas_windows_test.go: without setuid, naming an account or [system_users] stops
// fastftpd at start with the reason, before any port is bound.

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunAsRefusedOnWindows(t *testing.T) {
	dir := t.TempDir()
	sys := filepath.Join(dir, "sys.toml")
	if err := os.WriteFile(sys, []byte("[server]\nlisten = [\"127.0.0.1:0\"]\n[system_users]\nenabled = true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-d", dir, "-p", "0", "--run-as", "nobody"}, "--run-as nobody: not supported on windows"},
		{[]string{"-c", sys}, "[system_users] in " + sys + ": not supported on windows"},
	} {
		var out strings.Builder
		if code := run(c.args, &out); code != 2 || !strings.Contains(out.String(), c.want) {
			t.Errorf("fastftpd %v: exit %d, %q; want exit 2 and %q", c.args, code, out.String(), c.want)
		}
	}
}
