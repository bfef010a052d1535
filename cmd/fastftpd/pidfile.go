// The pid file (--pid-file, server.pid_file) names the live process: the one that serves
// new connections. A successor rewrites it once it serves; a process that stops removes
// it only while it still names that process, so a draining predecessor leaves its
// successor's file alone.

package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
)

// writePidFile writes this process's PID to path ("" = none), atomically where it can (a
// reader never sees an empty or half-written file). A process about to become owner (run
// as) gives the file to that account, so that its successor, started by the unprivileged
// process, can rewrite it in place where it may not create files in the directory.
func writePidFile(path string, owner *account) error {
	if path == "" {
		return nil
	}
	pid := []byte(strconv.Itoa(os.Getpid()) + "\n")
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err == nil {
		_, err = tmp.Write(pid)
		if err == nil {
			err = tmp.Chmod(0o644)
		}
		if err == nil && owner != nil {
			err = tmp.Chown(owner.uid, owner.gid)
		}
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(tmp.Name(), path)
		}
		if err != nil {
			os.Remove(tmp.Name())
		}
		return err
	}
	if !errors.Is(err, fs.ErrPermission) {
		return fmt.Errorf("pid file %s: %w", path, err)
	}
	// The directory is not ours to write: rewrite the file our predecessor gave us.
	if err := os.WriteFile(path, pid, 0o644); err != nil {
		return fmt.Errorf("pid file %s: %w", path, err)
	}
	return nil
}

// releasePidFile removes the pid file if it names this process.
func releasePidFile(path string) {
	if path == "" {
		return
	}
	b, err := os.ReadFile(path)
	if err == nil && string(bytes.TrimSpace(b)) == strconv.Itoa(os.Getpid()) {
		os.Remove(path)
	}
}
