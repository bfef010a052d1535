// Storage commands answered on the control connection: CWD MKD RMD DELE RNFR RNTO SIZE MDTM
// MFMT MLST SITE, and STAT with a path. Each runs its blocking part on the worker pool.

package session

import (
	"bytes"
	"io/fs"
	"strconv"
	"syscall"
	"time"

	"github.com/fastftp/fastftp/auth"
	"github.com/fastftp/fastftp/proto"
	"github.com/fastftp/fastftp/vfs"
)

func (s *Session) cmdCWD(arg []byte) {
	p := s.resolve(arg)
	if !s.can(auth.PermChdir, p) {
		return
	}
	fsys, msgName := s.login.user.FS, s.env.notices.Load().dirMessage
	s.async(func() func() {
		fi, err := fsys.Stat(p)
		if err == nil && !fi.IsDir() {
			err = &fs.PathError{Op: "cwd", Path: p, Err: syscall.ENOTDIR}
		}
		var msg []byte
		if err == nil {
			msg = readDirMessage(fsys, p, msgName)
		}
		return func() {
			if err != nil {
				s.replyErr(err, p)
				return
			}
			s.login.cwd = p
			s.noticeStart(250, "Directory message:", msg)
			s.replyPath(250, p, " is the current directory.")
		}
	})
}

func (s *Session) cmdMKD(arg []byte) {
	p := s.resolve(arg)
	if !s.creatable(p) || !s.can(auth.PermMkdir, p) {
		return
	}
	fsys := s.login.user.FS
	s.async(func() func() {
		err := fsys.Mkdir(p, 0o777)
		return func() {
			if err != nil {
				s.replyErr(err, p)
				return
			}
			s.replyPath(257, p, " directory created.")
		}
	})
}

func (s *Session) cmdRMD(arg []byte) {
	p := s.resolve(arg)
	if p == "/" {
		s.reply(550, "Can't remove root directory.")
		return
	}
	if !s.can(auth.PermDelete, p) {
		return
	}
	s.fsCall(p, func(fsys vfs.FS) error { return fsys.Rmdir(p) }, 250, "Directory removed.")
}

func (s *Session) cmdDELE(arg []byte) {
	p := s.resolve(arg)
	if !s.can(auth.PermDelete, p) {
		return
	}
	s.fsCall(p, func(fsys vfs.FS) error { return fsys.Remove(p) }, 250, "File removed.")
}

// fsCall runs one storage call on the worker pool and answers code/text, or the error
// mapped to a reply naming p.
func (s *Session) fsCall(p string, op func(vfs.FS) error, code int, text string) {
	fsys := s.login.user.FS
	s.async(func() func() {
		err := op(fsys)
		return func() {
			if err != nil {
				s.replyErr(err, p)
				return
			}
			s.reply(code, text)
		}
	})
}

func (s *Session) cmdRNFR(arg []byte) {
	p := s.resolve(arg)
	if p == "/" {
		s.reply(550, "Can't rename root directory.")
		return
	}
	if !s.can(auth.PermRename, p) {
		return
	}
	fsys := s.login.user.FS
	s.async(func() func() {
		_, err := fsys.Lstat(p)
		return func() {
			if err != nil {
				s.replyErr(err, p)
				return
			}
			s.pend().rnfr = p
			s.reply(350, "Ready for destination name.")
		}
	})
}

func (s *Session) cmdRNTO(arg []byte) {
	var from string
	if next := s.login.next; next != nil {
		from, next.rnfr = next.rnfr, ""
	}
	if from == "" {
		s.reply(503, "Bad sequence of commands: use RNFR first.")
		return
	}
	p := s.resolve(arg)
	if !s.creatable(p) || !s.can(auth.PermRename, p) {
		return
	}
	s.fsCall(p, func(fsys vfs.FS) error { return fsys.Rename(from, p) }, 250, "Renaming ok.")
}

func (s *Session) cmdSIZE(arg []byte) {
	if s.login.ascii {
		// Computing an ASCII size means reading the whole file: a cheap DoS (pyftpdlib agrees).
		s.reply(550, "SIZE not allowed in ASCII mode.")
		return
	}
	s.statFile(arg, func(p string, fi fs.FileInfo) {
		o := s.t.Out()
		b := append(*o, "213 "...)
		b = strconv.AppendInt(b, fi.Size(), 10)
		*o = append(b, '\r', '\n')
	})
}

func (s *Session) cmdMDTM(arg []byte) {
	s.statFile(arg, func(p string, fi fs.FileInfo) {
		o := s.t.Out()
		b := append(*o, "213 "...)
		b = proto.AppendTimeVal(b, fi.ModTime(), s.env.Loc)
		*o = append(b, '\r', '\n')
	})
}

// statFile stats a regular file the user may list and hands it to ok on the owner.
func (s *Session) statFile(arg []byte, ok func(p string, fi fs.FileInfo)) {
	p := s.resolve(arg)
	if !s.can(auth.PermList, p) {
		return
	}
	fsys := s.login.user.FS
	s.async(func() func() {
		fi, err := fsys.Stat(p)
		return func() {
			switch {
			case err != nil:
				s.replyErr(err, p)
			case !fi.Mode().IsRegular():
				s.reply(550, p+": is not retrievable.")
			default:
				ok(p, fi)
			}
		}
	})
}

func (s *Session) cmdMFMT(arg []byte) {
	ts, name, ok := bytes.Cut(arg, []byte{' '})
	if !ok || len(name) == 0 {
		s.reply(501, "Syntax: MFMT YYYYMMDDHHMMSS path")
		return
	}
	t, err := proto.ParseTimeVal(ts)
	if err != nil {
		s.reply(501, "Invalid time value: use YYYYMMDDHHMMSS.")
		return
	}
	p := s.resolve(name)
	if !s.can(auth.PermMtime, p) {
		return
	}
	fsys := s.login.user.FS
	s.async(func() func() {
		err := fsys.Chtimes(p, t)
		return func() {
			if err != nil {
				s.replyErr(err, p)
				return
			}
			o := s.t.Out()
			b := append(*o, "213 Modify="...)
			b = proto.AppendTimeVal(b, t, time.UTC)
			b = append(b, "; "...)
			b = proto.AppendSanitizedString(b, p)
			*o = append(b, ".\r\n"...)
			s.audited(213)
		}
	})
}

func (s *Session) cmdMLST(arg []byte) {
	p := s.login.cwd
	if len(arg) > 0 {
		p = s.resolve(arg)
	}
	if !s.can(auth.PermList, p) {
		return
	}
	fsys, user, facts := s.login.user.FS, s.login.user, s.login.facts
	s.async(func() func() {
		fi, err := fsys.Stat(p)
		return func() {
			if err != nil {
				s.replyErr(err, p)
				return
			}
			var e proto.Entry
			proto.FillEntry(&e, p, fi)
			o := s.t.Out()
			b := proto.AppendReplyStart(*o, 250, "Listing "+p)
			b = append(b, ' ')
			b = proto.AppendMLSx(b, &e, facts, "", permFact(user, p, fi.IsDir()))
			b = append(b, '\r', '\n')
			*o = proto.AppendReply(b, 250, "End MLST.")
		}
	})
}

// factLetter maps one permission to its RFC 3659 perm-fact letter.
type factLetter struct {
	perm   auth.Perm
	letter byte
}

// The perm fact's letters in RFC 3659 order, for directories and for files: c create a
// file, d delete, e enter, f rename, l list, m make a directory, p purge (delete contents);
// a append, r retrieve, w store.
var (
	dirFactLetters = [...]factLetter{{auth.PermStore, 'c'}, {auth.PermDelete, 'd'}, {auth.PermChdir, 'e'},
		{auth.PermRename, 'f'}, {auth.PermList, 'l'}, {auth.PermMkdir, 'm'}, {auth.PermDelete, 'p'}}
	fileFactLetters = [...]factLetter{{auth.PermAppend, 'a'}, {auth.PermDelete, 'd'}, {auth.PermRename, 'f'},
		{auth.PermRetrieve, 'r'}, {auth.PermStore, 'w'}}
)

// permFact computes RFC 3659's perm fact for an entry from the user's letters.
func permFact(u *auth.User, p string, dir bool) string {
	perm := u.PermFor(p)
	letters := fileFactLetters[:]
	if dir {
		letters = dirFactLetters[:]
	}
	var buf [len(dirFactLetters)]byte
	b := buf[:0]
	for _, f := range letters {
		if perm.Has(f.perm) {
			b = append(b, f.letter)
		}
	}
	return string(b)
}

func (s *Session) cmdSITE(arg []byte) {
	sub, rest, _ := bytes.Cut(arg, []byte{' '})
	switch {
	case asciiEqualFold(sub, "HELP"):
		s.siteHelp()
	case asciiEqualFold(sub, "CHMOD"), asciiEqualFold(sub, "IDLE"):
		if s.login.user == nil {
			s.reply(530, "Log in with USER and PASS first.")
			return
		}
		if asciiEqualFold(sub, "IDLE") {
			s.siteIdle(rest)
			return
		}
		s.siteChmod(rest)
	default:
		s.siteCustom(sub, rest)
	}
}

func (s *Session) siteHelp() {
	o := s.t.Out()
	b := proto.AppendReplyStart(*o, 214, "The following SITE commands are recognized:")
	b = append(b, " CHMOD <mode> <path> (change file mode)\r\n HELP (this list)\r\n"...)
	b = append(b, " IDLE [<seconds>] (show or set this session's idle timeout)\r\n"...)
	for _, c := range s.env.sortedSite() {
		b = append(b, ' ')
		b = proto.AppendSanitizedString(b, c.Name)
		if c.Help != "" {
			b = append(b, ' ')
			b = proto.AppendSanitizedString(b, c.Help)
		}
		b = append(b, '\r', '\n')
	}
	*o = proto.AppendReply(b, 214, "Help SITE command successful.")
	s.audited(214)
}

// siteCustom runs an embedder's SITE command on the worker pool.
func (s *Session) siteCustom(sub, rest []byte) {
	var name [32]byte
	if len(sub) > len(name) {
		s.reply(500, "Unknown SITE command.")
		return
	}
	for i, c := range sub {
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		name[i] = c
	}
	cmd := s.env.Site[string(name[:len(sub)])]
	switch {
	case cmd == nil:
		s.reply(500, "Unknown SITE command.")
		return
	case !cmd.NoLogin && s.login.user == nil:
		s.reply(530, "Log in with USER and PASS first.")
		return
	}
	p := s.login.cwd
	if len(rest) > 0 {
		p = s.resolve(rest)
	}
	if s.login.user != nil && cmd.Perm != 0 && !s.can(cmd.Perm, p) {
		return
	}
	sc := &SiteContext{User: s.login.user, Remote: s.conn.remote, Cwd: s.login.cwd, Arg: string(rest), Path: p}
	s.async(func() func() {
		code, text := cmd.Run(sc)
		if code < 100 || code > 599 {
			code, text = 550, "SITE command failed."
		}
		return func() { s.reply(code, text) }
	})
}

func (s *Session) siteChmod(arg []byte) {
	modeText, name, ok := bytes.Cut(arg, []byte{' '})
	if !ok || len(name) == 0 {
		s.reply(501, "Syntax: SITE CHMOD <mode> <path>")
		return
	}
	mode, err := strconv.ParseUint(string(modeText), 8, 32)
	if err != nil || mode > 0o7777 {
		s.reply(501, "Invalid mode: use octal, e.g. 644.")
		return
	}
	p := s.resolve(name)
	if !s.can(auth.PermChmod, p) {
		return
	}
	perm := fs.FileMode(mode)&fs.ModePerm | modeBits(mode)
	s.fsCall(p, func(fsys vfs.FS) error { return fsys.Chmod(p, perm) }, 200, "SITE CHMOD successful.")
}

// modeBits maps the octal setuid/setgid/sticky bits to Go's FileMode bits.
func modeBits(m uint64) fs.FileMode {
	var f fs.FileMode
	if m&0o4000 != 0 {
		f |= fs.ModeSetuid
	}
	if m&0o2000 != 0 {
		f |= fs.ModeSetgid
	}
	if m&0o1000 != 0 {
		f |= fs.ModeSticky
	}
	return f
}

// maxStatEntries bounds a STAT listing on the control connection: it is held in memory and
// written to a connection that has no flow control of its own.
const maxStatEntries = 1000

func hasGlob(b []byte) bool { return bytes.ContainsAny(b, "*?[") }

// statPath lists a path over the control connection (213), bounded, without globbing.
func (s *Session) statPath(arg []byte) {
	arg = skipListOptions(arg)
	if hasGlob(arg) {
		s.reply(550, "Globbing is not supported.")
		return
	}
	p := s.login.cwd
	if len(arg) > 0 {
		p = s.resolve(arg)
	}
	if !s.can(auth.PermList, p) {
		return
	}
	fsys, loc := s.login.user.FS, s.env.Loc
	s.async(func() func() {
		b := proto.AppendReplyStart(nil, 213, "Status of "+p+":")
		now := time.Now()
		n, truncated, err := listInto(fsys, p, maxStatEntries, func(e *proto.Entry) error {
			b = append(b, ' ')
			b = proto.AppendListLine(b, e, now, loc)
			return nil
		})
		return func() {
			if err != nil && n == 0 {
				s.replyErr(err, p)
				return
			}
			if truncated {
				b = append(b, " (listing truncated: use LIST or MLSD)\r\n"...)
			}
			o := s.t.Out()
			*o = append(*o, b...)
			*o = proto.AppendReply(*o, 213, "End of status.")
		}
	})
}

// skipListOptions drops leading "-la"-style options that clients pass to LIST and STAT.
func skipListOptions(arg []byte) []byte {
	for len(arg) > 0 && arg[0] == '-' {
		i := bytes.IndexByte(arg, ' ')
		if i < 0 {
			return nil
		}
		arg = bytes.TrimLeft(arg[i:], " ")
	}
	return arg
}
