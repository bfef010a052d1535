// list.go: directory listing lines, `ls -l` style for LIST and bare names for NLST.

package proto

import (
	"io/fs"
	"time"
)

// Entry is what a listing line needs to know about one file. Fill it with FillEntry or
// by hand (a virtual filesystem). Name is the bare name shown in the listing. Owner and
// Group, when not "", are shown by LIST instead of UID and GID; Target, when not "", is a
// symbolic link's target, shown by LIST as "name -> target". FillEntry clears all three
// and FillEntryStat leaves them alone: the caller resolves them (vfs.Names, vfs.LinkReader).
type Entry struct {
	Name    string
	Owner   string
	Group   string
	Target  string
	Size    int64
	Mode    fs.FileMode
	ModTime time.Time
	Nlink   uint64
	UID     uint32
	GID     uint32
	Dev     uint64
	Ino     uint64
}

// FillEntry fills e from a FileInfo: name, size, mode and modification time from fi, and
// nlink/uid/gid/dev/ino from a *syscall.Stat_t in fi.Sys() when present (defaults
// 1/0/0/0/0 otherwise). It allocates nothing itself (fi's methods may). Safe from any
// goroutine for distinct e.
func FillEntry(e *Entry, name string, fi fs.FileInfo) {
	*e = Entry{
		Name:    name,
		Size:    fi.Size(),
		Mode:    fi.Mode(),
		ModTime: fi.ModTime(),
		Nlink:   1,
	}
	fillSys(e, fi.Sys())
}

// recentWindow is how far from now a modification time may be and still be shown with
// its clock time rather than its year (ls and pyftpdlib use six months).
const recentWindow = 180 * 24 * time.Hour

var monthNames = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// AppendListLine appends one `ls -l` line as pyftpdlib produces, for example
//
//	"-rw-r--r--   1 1000     1000         1234 Jan 02 15:04 name\r\n"
//
// mode string from e.Mode (type letter d l p s c b or -, then rwx with s/S t/T for setuid,
// setgid and sticky as ls shows them), nlink right-aligned in 3 columns, owner and group
// left-aligned in 8 (the names e.Owner and e.Group when set, as ls and vsftpd show them,
// else the numbers), size right-aligned in 8 (growing as needed), then "Mon DD HH:MM"
// when ModTime is within 180 days of now (either side), else "Mon DD  YYYY", in loc (UTC
// when nil), then the name and, for a symbolic link with e.Target, " -> target". The name
// is sanitised as reply text is, so CR/LF never reach the wire raw.
// Appends to dst (never retained); allocates only when dst lacks capacity. Safe from any
// goroutine for distinct dst.
func AppendListLine(dst []byte, e *Entry, now time.Time, loc *time.Location) []byte {
	dst = appendModeString(dst, e.Mode)
	dst = append(dst, ' ')
	dst = appendUintRight(dst, e.Nlink, 3)
	dst = append(dst, ' ')
	dst = appendOwner(dst, e.Owner, e.UID)
	dst = append(dst, ' ')
	dst = appendOwner(dst, e.Group, e.GID)
	dst = append(dst, ' ')
	dst = appendIntRight(dst, e.Size, 8)
	dst = append(dst, ' ')
	if loc == nil {
		loc = time.UTC
	}
	t := e.ModTime.In(loc)
	year, month, day := t.Date()
	dst = append(dst, monthNames[month-1]...)
	dst = append(dst, ' ')
	dst = append2(dst, day)
	if age := now.Sub(e.ModTime); age <= recentWindow && age >= -recentWindow {
		hour, minute, _ := t.Clock()
		dst = append(dst, ' ')
		dst = append2(dst, hour)
		dst = append(dst, ':')
		dst = append2(dst, minute)
	} else {
		dst = append(dst, ' ', ' ')
		dst = append4(dst, year)
	}
	dst = append(dst, ' ')
	dst = appendSanitized(dst, e.Name)
	if e.Target != "" && e.Mode&fs.ModeSymlink != 0 {
		dst = append(dst, " -> "...)
		dst = appendSanitized(dst, e.Target)
	}
	return append(dst, '\r', '\n')
}

// appendOwner appends name left-aligned in 8 columns, or id when name is "". A name is
// sanitised like a file name: it comes from the system's user database, not from us.
func appendOwner(dst []byte, name string, id uint32) []byte {
	if name == "" {
		return appendUintLeft(dst, uint64(id), 8)
	}
	start := len(dst)
	dst = appendSanitized(dst, name)
	return appendSpaces(dst, 8-(len(dst)-start))
}

// AppendNameLine appends an NLST line: the sanitised name and "\r\n". Same contract as
// AppendListLine.
func AppendNameLine(dst []byte, name string) []byte {
	dst = appendSanitized(dst, name)
	return append(dst, '\r', '\n')
}

// appendModeString appends the 10-character ls mode ("drwxr-xr-x").
func appendModeString(dst []byte, m fs.FileMode) []byte {
	var typ byte = '-'
	switch {
	case m&fs.ModeDir != 0:
		typ = 'd'
	case m&fs.ModeSymlink != 0:
		typ = 'l'
	case m&fs.ModeNamedPipe != 0:
		typ = 'p'
	case m&fs.ModeSocket != 0:
		typ = 's'
	case m&fs.ModeCharDevice != 0:
		typ = 'c'
	case m&fs.ModeDevice != 0:
		typ = 'b'
	}
	const rwx = "rwxrwxrwx"
	var s [10]byte
	s[0] = typ
	for i := 0; i < 9; i++ {
		if m&(1<<uint(8-i)) != 0 {
			s[1+i] = rwx[i]
		} else {
			s[1+i] = '-'
		}
	}
	s[3] = specialBit(s[3], m&fs.ModeSetuid != 0, 's')
	s[6] = specialBit(s[6], m&fs.ModeSetgid != 0, 's')
	s[9] = specialBit(s[9], m&fs.ModeSticky != 0, 't')
	return append(dst, s[:]...)
}

// specialBit folds a setuid/setgid/sticky bit into the execute column as ls does:
// lower case when the execute bit is also set, upper case when it is not.
func specialBit(x byte, set bool, letter byte) byte {
	if !set {
		return x
	}
	if x == 'x' {
		return letter
	}
	return letter - ('a' - 'A')
}

// ListLineChanges returns when the line AppendListLine writes for a file modified at mtime
// changes as the clock moves on from now: the date column switches between "HH:MM" and
// " YYYY" at the edges of the 180-day window. ok is false when it never changes again (an
// old file stays shown with its year). A cached listing must not be served past it.
// Safe from any goroutine.
func ListLineChanges(mtime, now time.Time) (at time.Time, ok bool) {
	age := now.Sub(mtime)
	switch {
	case age > recentWindow:
		return time.Time{}, false
	case age < -recentWindow:
		return mtime.Add(-recentWindow), true
	}
	return mtime.Add(recentWindow + time.Nanosecond), true
}
