// errors.go: the sentinel errors of package proto.

package proto

import "errors"

// Sentinel errors returned by this package. They are returned as they are (never wrapped,
// since wrapping would allocate on the parse path), so compare them with == or errors.Is.
// Suggested replies: ErrLineTooLong -> 500 and close; ErrSyntax -> 501;
// ErrUnsupported -> 504 (TYPE, MODE, STRU) or 522 (EPRT, EPSV network protocol).
var (
	// ErrLineTooLong: the first MaxLine bytes of input hold no line feed.
	ErrLineTooLong = errors.New("proto: command line longer than MaxLine")
	// ErrSyntax: an argument is malformed or a number in it is out of range.
	ErrSyntax = errors.New("proto: syntax error in argument")
	// ErrUnsupported: an argument is well formed but names something not implemented
	// (TYPE E, TYPE A T, TYPE L 7, EPRT/EPSV network protocol other than 1 or 2).
	ErrUnsupported = errors.New("proto: unsupported parameter")
)
