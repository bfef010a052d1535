// Permission letters: pyftpdlib's "elradfmwMT" as a bit set.

package auth

import (
	"fmt"
)

// Perm is a set of pyftpdlib permission letters:
//
//	e change directory (CWD, CDUP)   l list (LIST NLST STAT MLSD MLST SIZE MDTM)
//	r retrieve (RETR)                a append (APPE)
//	d delete (DELE RMD)              f rename (RNFR RNTO)
//	m make directory (MKD)           w store (STOR STOU)
//	M chmod (SITE CHMOD)             T change mtime (MFMT, MDTM with a time)
//
// A Perm is a plain value: safe to copy and use from any goroutine.
type Perm uint16

// The permission bits, in the canonical letter order "elradfmwMT".
const (
	PermChdir Perm = 1 << iota
	PermList
	PermRetrieve
	PermAppend
	PermDelete
	PermRename
	PermMkdir
	PermStore
	PermChmod
	PermMtime
)

// Letter strings for common sets.
const (
	ReadOnly  = "elr"
	ReadWrite = "elradfmwMT"
)

// permLetters lists the letters in bit order, so bit i is permLetters[i].
const permLetters = "elradfmwMT"

// permAll has every defined bit set.
const permAll = Perm(1)<<len(permLetters) - 1

// letterBits maps a letter byte to its bit (0: not a letter).
var letterBits = func() (t [256]Perm) {
	for i := 0; i < len(permLetters); i++ {
		t[permLetters[i]] = 1 << i
	}
	return t
}()

// ParsePerm parses permission letters in any order; repeats are allowed and "" is the
// empty set. The error wraps ErrBadPerm and names the bad letter. Safe from any
// goroutine; does not allocate on success.
func ParsePerm(letters string) (Perm, error) {
	var p Perm
	for i := 0; i < len(letters); i++ {
		b := letterBits[letters[i]]
		if b == 0 {
			return 0, fmt.Errorf("%w %q in %q (valid: %s)", ErrBadPerm, letters[i:i+1], letters, permLetters)
		}
		p |= b
	}
	return p, nil
}

// MustParsePerm is ParsePerm for constant letters; it panics on a bad letter.
func MustParsePerm(letters string) Perm {
	p, err := ParsePerm(letters)
	if err != nil {
		panic(err)
	}
	return p
}

// String returns the letters of p in canonical order "elradfmwMT". Safe from any
// goroutine.
func (p Perm) String() string {
	var buf [len(permLetters)]byte
	return string(p.AppendLetters(buf[:0]))
}

// AppendLetters appends the letters of p in canonical order to dst and returns the
// extended slice (no allocation when dst has room). Safe from any goroutine.
func (p Perm) AppendLetters(dst []byte) []byte {
	for i := 0; i < len(permLetters); i++ {
		if p&(1<<i) != 0 {
			dst = append(dst, permLetters[i])
		}
	}
	return dst
}

// Has reports whether p holds every permission in q. Safe from any goroutine.
func (p Perm) Has(q Perm) bool { return p&q == q }
