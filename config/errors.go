// errors.go: what Load reports: one Error per problem, each naming file, line and key.

package config

import (
	"errors"
	"strconv"
	"strings"
)

// Sentinel errors, compared with errors.Is.
var (
	// ErrInvalid matches every error Load and Parse return for a bad file (syntax, unknown
	// key, wrong type, failed validation), as opposed to failing to read it.
	ErrInvalid = errors.New("config: invalid file")
)

// Error is one problem in a config file. Its text is
// "FILE:LINE: what is wrong" or "FILE:LINE:COLUMN: what is wrong" when the column is
// known (syntax and type errors).
type Error struct {
	// File is the name given to Load or Parse.
	File string
	// Line and Column are 1-based; 0 means unknown.
	Line, Column int
	// Msg says what is wrong in one sentence, naming the key or the user.
	Msg string
}

func (e *Error) Error() string {
	b := make([]byte, 0, len(e.File)+len(e.Msg)+16)
	b = append(b, e.File...)
	if e.Line > 0 {
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(e.Line), 10)
		if e.Column > 0 {
			b = append(b, ':')
			b = strconv.AppendInt(b, int64(e.Column), 10)
		}
	}
	b = append(b, ": "...)
	b = append(b, e.Msg...)
	return string(b)
}

// Is makes every Error match ErrInvalid.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

// ErrorList holds every problem found, in line order. Load and Parse return one (never
// empty) when the file is invalid; its text is one Error per line.
type ErrorList []*Error

func (l ErrorList) Error() string {
	var sb strings.Builder
	for i, e := range l {
		if i > 0 {
			sb.WriteByte('\n')
		}
		sb.WriteString(e.Error())
	}
	return sb.String()
}

// Is makes an ErrorList match ErrInvalid.
func (l ErrorList) Is(target error) bool { return target == ErrInvalid }

// Unwrap returns the individual errors, for errors.As(err, **Error).
func (l ErrorList) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}
