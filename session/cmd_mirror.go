// Small commands mirror users know: CLNT (the client says its name), AVBL (free space of a
// writable directory) and SITE IDLE (this session's idle timeout, as proftpd and wu-ftpd).

package session

import (
	"errors"
	"io/fs"
	"strconv"
	"syscall"
	"time"

	"github.com/fastftp/fastftp/auth"
	"github.com/fastftp/fastftp/vfs"
)

// maxClientName bounds the CLNT name written to the log: the line is the client's to fill.
const maxClientName = 64

// cmdCLNT logs the client's name with the session (Serv-U's CLNT; FileZilla and some
// download managers send it, before or after login). The name is sanitized and cut, never
// stored: it is only worth a log line.
func (s *Session) cmdCLNT(arg []byte) {
	if len(arg) > maxClientName {
		arg = arg[:maxClientName]
	}
	var buf [maxClientName]byte
	name := buf[:0]
	for _, c := range arg {
		if c >= 0x20 && c != 0x7f {
			name = append(name, c)
		}
	}
	s.env.Log.Info("client", "remote", s.conn.remote, "user", s.userString(), "name", string(name))
	s.reply(200, "Noted.")
}

// errNoStatfs: the storage or the platform cannot say how much space is free (AVBL: 502).
var errNoStatfs = errors.New("free space not available here")

// cmdAVBL answers "213 <bytes>", the bytes available to unprivileged writers on the
// directory's file system (draft-peterson-streamlined-ftp-command-extensions, AVBL), only
// to users who may store files there: a read-only user has no business sizing the disk.
// The directory is opened through the user's FS (inside the jail) and statfs'd on its
// descriptor, so no host path is ever built.
func (s *Session) cmdAVBL(arg []byte) {
	p := s.login.cwd
	if len(arg) > 0 {
		p = s.resolve(arg)
	}
	if !s.login.user.PermFor(p).Has(auth.PermStore) {
		s.reply(550, p+": no write permission here; AVBL is for writable directories.")
		return
	}
	fsys := s.login.user.FS
	s.async(func() func() {
		n, err := freeSpace(fsys, p)
		return func() {
			switch {
			case errors.Is(err, errNoStatfs):
				s.reply(502, "AVBL not supported by this server's storage.")
			case err != nil:
				s.replyErr(err, p)
			default:
				s.reply(213, strconv.FormatInt(n, 10))
			}
		}
	})
}

// freeSpace opens directory p of fsys and asks its file system for the bytes available.
func freeSpace(fsys vfs.FS, p string) (int64, error) {
	f, err := fsys.Open(p)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	if !fi.IsDir() {
		return 0, &fs.PathError{Op: "avbl", Path: p, Err: syscall.ENOTDIR}
	}
	fd, ok := f.(interface{ Fd() uintptr })
	if !ok {
		return 0, errNoStatfs
	}
	return statfsAvail(fd.Fd())
}

// minIdle is the lowest SITE IDLE value, as wu-ftpd (or the server's own timeout when it
// is shorter).
const minIdle = 30 * time.Second

// idleLimit is this session's idle timeout: SITE IDLE's value, else the server's (<= 0:
// never). Safe from any goroutine (the reaper calls it).
func (s *Session) idleLimit() time.Duration {
	if n := s.conn.idleSecs(); n > 0 {
		return time.Duration(n) * time.Second
	}
	return s.env.IdleTimeout
}

// siteIdle shows (no argument) or sets this session's idle timeout, between 30 seconds
// and the server's idle timeout, which stays the maximum: a client may ask to be dropped
// sooner, never to be kept longer. Rare enough to build its replies as strings.
func (s *Session) siteIdle(arg []byte) {
	top := s.env.IdleTimeout
	secs := func(d time.Duration) string { return strconv.FormatInt(int64(d/time.Second), 10) }
	switch {
	case top <= 0 && len(arg) == 0:
		s.reply(200, "No idle timeout on this server.")
		return
	case top <= 0:
		s.reply(504, "No idle timeout on this server: SITE IDLE cannot set one.")
		return
	case len(arg) == 0:
		s.reply(200, "Current idle timeout is "+secs(s.idleLimit())+" seconds; the maximum is "+secs(top)+" seconds.")
		return
	}
	low := min(minIdle, top)
	n, err := strconv.ParseUint(string(arg), 10, 32)
	if d := time.Duration(n) * time.Second; err != nil || d < low || d > top {
		s.reply(501, "Idle timeout must be between "+secs(low)+" and "+secs(top)+" seconds.")
		return
	}
	s.conn.setIdle(uint32(n))
	s.reply(200, "Idle timeout set to "+strconv.FormatUint(n, 10)+" seconds.")
}
