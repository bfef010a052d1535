//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package unixmode

import (
	"os"
	"syscall"
	"testing"
	"time"
)

// TestMatchesOS: the conversion agrees with package os for files, directories, links,
// pipes and the setuid/setgid/sticky bits, and the time accessors with os's ModTime.
func TestMatchesOS(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(dir+"/f", nil, 0o644)
	os.Chmod(dir+"/f", 0o755|os.ModeSetuid|os.ModeSetgid)
	os.Mkdir(dir+"/d", 0o755)
	os.Chmod(dir+"/d", 0o1777|os.ModeSticky)
	os.Symlink("f", dir+"/l")
	syscall.Mkfifo(dir+"/p", 0o600)
	at := time.Date(2001, 2, 3, 4, 5, 6, 7000, time.UTC)
	mt := time.Date(2002, 3, 4, 5, 6, 7, 8000, time.UTC)
	if err := os.Chtimes(dir+"/f", at, mt); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"f", "d", "l", "p"} {
		fi, err := os.Lstat(dir + "/" + name)
		if err != nil {
			t.Fatal(err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		if got := FileMode(uint32(st.Mode)); got != fi.Mode() {
			t.Errorf("%s: FileMode = %v, os says %v", name, got, fi.Mode())
		}
		if got := Mode(st); got != fi.Mode() {
			t.Errorf("%s: Mode = %v, os says %v", name, got, fi.Mode())
		}
		if got := StatIsDir(st); got != fi.IsDir() {
			t.Errorf("%s: StatIsDir = %v, os says %v", name, got, fi.IsDir())
		}
		if got := Mtime(st); !got.Equal(fi.ModTime()) {
			t.Errorf("%s: Mtime = %v, os says %v", name, got, fi.ModTime())
		}
	}
	fi, _ := os.Lstat(dir + "/f")
	st := fi.Sys().(*syscall.Stat_t)
	if got := Atime(st); !got.Equal(at) {
		t.Errorf("Atime = %v, want %v", got, at)
	}
	if got := Mtime(st); !got.Equal(mt) {
		t.Errorf("Mtime = %v, want %v", got, mt)
	}
}

// TestMatchesSyscall: the bits written out in mode.go are this system's.
func TestMatchesSyscall(t *testing.T) {
	for _, c := range []struct {
		name      string
		ours, sys uint32
	}{
		{"S_IFMT", sIFMT, syscall.S_IFMT},
		{"S_IFSOCK", sIFSOCK, syscall.S_IFSOCK},
		{"S_IFLNK", sIFLNK, syscall.S_IFLNK},
		{"S_IFREG", sIFREG, syscall.S_IFREG},
		{"S_IFBLK", sIFBLK, syscall.S_IFBLK},
		{"S_IFDIR", sIFDIR, syscall.S_IFDIR},
		{"S_IFCHR", sIFCHR, syscall.S_IFCHR},
		{"S_IFIFO", sIFIFO, syscall.S_IFIFO},
		{"S_ISUID", sISUID, syscall.S_ISUID},
		{"S_ISGID", sISGID, syscall.S_ISGID},
		{"S_ISVTX", sISVTX, syscall.S_ISVTX},
	} {
		if c.ours != c.sys {
			t.Errorf("%s = %#o, syscall has %#o", c.name, c.ours, c.sys)
		}
	}
}
