// mlsx.go: RFC 3659 machine listings: the fact set, FEAT/OPTS fact lists, MLST/MLSD lines.

package proto

import (
	"io/fs"
	"strconv"
)

// Facts is a set of RFC 3659 facts, as enabled with OPTS MLST.
type Facts uint16

// The facts this package can emit, in the order they are written.
const (
	FactType Facts = 1 << iota
	FactSize
	FactModify
	FactPerm
	FactUnique
	FactUnixMode
	FactUnixUID
	FactUnixGID

	FactsAll     = FactType | FactSize | FactModify | FactPerm | FactUnique | FactUnixMode | FactUnixUID | FactUnixGID
	FactsDefault = FactType | FactSize | FactModify | FactPerm | FactUnique | FactUnixMode | FactUnixUID | FactUnixGID
)

// factNames is indexed by bit position; the names are the lower-case forms RFC 3659 and
// the UNIX.* convention use.
var factNames = [...]string{"type", "size", "modify", "perm", "unique", "unix.mode", "unix.uid", "unix.gid"}

// ParseFacts parses an OPTS MLST fact list such as "type;size;modify;", ignoring ASCII case
// and unknown facts (RFC 3659 7.9: the server enables those it can). An empty list enables
// none. Does not retain list; safe from any goroutine.
func ParseFacts(list []byte) Facts {
	var f Facts
	for len(list) > 0 {
		name := list
		if i := indexByte(list, ';'); i >= 0 {
			name, list = list[:i], list[i+1:]
		} else {
			list = nil
		}
		for bit, n := range factNames {
			if equalFold(name, n) {
				f |= 1 << bit
				break
			}
		}
	}
	return f
}

// AppendFactNames appends the fact list for FEAT, "type*;size*;...;" (every known fact,
// '*' on the enabled ones), or with starred=false only the enabled ones, "type;size;", for
// the OPTS MLST reply. Append convention; safe from any goroutine for distinct dst.
func AppendFactNames(dst []byte, enabled Facts, starred bool) []byte {
	for bit, n := range factNames {
		on := enabled&(1<<bit) != 0
		if !on && !starred {
			continue
		}
		dst = append(dst, n...)
		if on && starred {
			dst = append(dst, '*')
		}
		dst = append(dst, ';')
	}
	return dst
}

// AppendMLSx appends "type=file;size=12;modify=20250102150405;perm=rw;unique=803g1a2;
// unix.mode=0644;unix.uid=0;unix.gid=0; name" with only the facts in facts (no leading space,
// no CRLF: MLSD lines add "\r\n", MLST adds a leading space and "\r\n").
//
// type is "dir" for directories, "OS.unix=symlink" for symbolic links and "file" otherwise;
// typ overrides it when not "" ("cdir", "pdir"). perm is the perm fact value computed by the
// caller (RFC 3659 letters) and is skipped when "". modify is always UTC, YYYYMMDDHHMMSS.
// unique is dev and inode in hex joined by 'g' (as pyftpdlib). unix.mode is the permission
// bits with setuid/setgid/sticky in octal ("0644", "4755"). The name is sanitised as reply
// text is. Append convention; safe from any goroutine for distinct dst.
func AppendMLSx(dst []byte, e *Entry, facts Facts, typ string, perm string) []byte {
	if facts&FactType != 0 {
		if typ == "" {
			switch {
			case e.Mode.IsDir():
				typ = "dir"
			case e.Mode&fs.ModeSymlink != 0:
				typ = "OS.unix=symlink"
			default:
				typ = "file"
			}
		}
		dst = append(dst, "type="...)
		dst = appendFactValue(dst, typ)
		dst = append(dst, ';')
	}
	if facts&FactSize != 0 {
		dst = append(dst, "size="...)
		dst = strconv.AppendInt(dst, e.Size, 10)
		dst = append(dst, ';')
	}
	if facts&FactModify != 0 {
		dst = append(dst, "modify="...)
		dst = appendTimeVal(dst, e.ModTime.UTC())
		dst = append(dst, ';')
	}
	if facts&FactPerm != 0 && perm != "" {
		dst = append(dst, "perm="...)
		dst = appendFactValue(dst, perm)
		dst = append(dst, ';')
	}
	if facts&FactUnique != 0 {
		dst = append(dst, "unique="...)
		dst = strconv.AppendUint(dst, e.Dev, 16)
		dst = append(dst, 'g')
		dst = strconv.AppendUint(dst, e.Ino, 16)
		dst = append(dst, ';')
	}
	if facts&FactUnixMode != 0 {
		dst = append(dst, "unix.mode="...)
		dst = appendUnixMode(dst, e.Mode)
		dst = append(dst, ';')
	}
	if facts&FactUnixUID != 0 {
		dst = append(dst, "unix.uid="...)
		dst = strconv.AppendUint(dst, uint64(e.UID), 10)
		dst = append(dst, ';')
	}
	if facts&FactUnixGID != 0 {
		dst = append(dst, "unix.gid="...)
		dst = strconv.AppendUint(dst, uint64(e.GID), 10)
		dst = append(dst, ';')
	}
	dst = append(dst, ' ')
	return appendSanitized(dst, e.Name)
}

// appendFactValue appends a caller-supplied fact value, dropping the bytes that would end
// the fact or the facts (';', ' ') or the line (CR, LF), so a bad typ or perm cannot shift
// the name or forge a line.
func appendFactValue(dst []byte, v string) []byte {
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case ';', ' ', '\r', '\n':
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// appendUnixMode appends the Unix permission bits (with setuid 04000, setgid 02000, sticky
// 01000) as at least four octal digits.
func appendUnixMode(dst []byte, m fs.FileMode) []byte {
	v := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		v |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		v |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		v |= 0o1000
	}
	return append(dst, byte('0'+v>>9&7), byte('0'+v>>6&7), byte('0'+v>>3&7), byte('0'+v&7))
}
