//go:build unix

package unixmode

import (
	"os"
	"syscall"
	"testing"
)

// TestMatchesOS: the conversion agrees with package os for files, directories, links,
// pipes and the setuid/setgid/sticky bits.
func TestMatchesOS(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(dir+"/f", nil, 0o644)
	os.Chmod(dir+"/f", 0o755|os.ModeSetuid|os.ModeSetgid)
	os.Mkdir(dir+"/d", 0o755)
	os.Chmod(dir+"/d", 0o1777|os.ModeSticky)
	os.Symlink("f", dir+"/l")
	syscall.Mkfifo(dir+"/p", 0o600)
	for _, name := range []string{"f", "d", "l", "p"} {
		fi, err := os.Lstat(dir + "/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if got := FileMode(fi.Sys().(*syscall.Stat_t).Mode); got != fi.Mode() {
			t.Errorf("%s: FileMode = %v, os says %v", name, got, fi.Mode())
		}
	}
}
