// Package xferlog writes the transfer log of wu-ftpd (xferlog(5)), one line per file
// transfer, which mirror statistics tools (webalizer, awstats, xferstats) already parse.
//
// A line has 18 whitespace-separated fields:
//
//	Mon Jan  2 15:04:05 2006 3 192.0.2.1 1048576 /pub/file.iso b _ o r alice ftp 0 * c
//	`---- current-time ----' | |         |       |            | | | | |     |   | | `- completion: c complete, i incomplete
//	                         | |         |       |            | | | | |     |   | `--- authenticated user id: * (none)
//	                         | |         |       |            | | | | |     |   `----- authentication method: 0 (none)
//	                         | |         |       |            | | | | |     `--------- service name: ftp
//	                         | |         |       |            | | | | `--------------- user name (see below)
//	                         | |         |       |            | | | `----------------- access mode: a anonymous, r real
//	                         | |         |       |            | | `------------------- direction: o outgoing, i incoming
//	                         | |         |       |            | `--------------------- special action: _ none
//	                         | |         |       |            `----------------------- transfer type: a ascii, b binary
//	                         | |         |       `------------------------------------ file name (virtual path)
//	                         | |         `-------------------------------------------- bytes transferred
//	                         | `------------------------------------------------------ remote host (IP address)
//	                         `-------------------------------------------------------- transfer time, whole seconds
//
// The current time is the 24-character ctime(3) form (5 fields; the day of the month is
// space-padded). Following wu-ftpd, the user name of an anonymous transfer is the password
// the client gave (by convention its e-mail address), and the transfer time is at least
// 1 second so tools that divide bytes by seconds never divide by zero.
package xferlog

import (
	"net/netip"
	"strconv"
	"time"
)

// Record describes one finished (or aborted) transfer. It is a plain value; AppendRecord
// only reads it.
type Record struct {
	// Time is when the transfer ended, written in Time's own location (pass t.UTC() or
	// t.Local() as the server's use_localtime setting says).
	Time time.Time
	// Duration is how long the transfer took; written rounded to whole seconds, at least 1.
	Duration time.Duration
	// Remote is the client's address; IPv4-mapped IPv6 addresses are written as IPv4.
	Remote netip.Addr
	// Bytes is the number of bytes moved (for an incomplete transfer, those moved before
	// it stopped).
	Bytes int64
	// Path is the file's virtual path as the user sees it.
	Path string
	// ASCII is true for TYPE A transfers, false for binary (TYPE I).
	ASCII bool
	// Incoming is true for uploads (STOR, APPE, STOU), false for downloads (RETR).
	Incoming bool
	// Anonymous marks an anonymous session; then User must hold the password the client
	// gave, as wu-ftpd logs it.
	Anonymous bool
	// User is the login name ("r" access) or, for anonymous sessions, the password given.
	User string
	// Complete is true when every byte was moved; false after an abort or error.
	Complete bool
}

// ctimeLayout is ctime(3)'s form without the trailing newline: "Thu Mar  4 08:12:30 2004".
const ctimeLayout = "Mon Jan _2 15:04:05 2006"

// AppendRecord appends r as one xferlog line, ending in '\n', to dst and returns the
// extended slice. Bytes that would break the line into more fields or lines (space, tab,
// CR, LF and the other ASCII control characters) in the file name and user name are
// written as '_', as wu-ftpd does for spaces; an empty name is written as '*', and so is
// an invalid Remote. Safe from any goroutine; does not allocate when dst has room
// (about 100 bytes plus the names).
func AppendRecord(dst []byte, r *Record) []byte {
	dst = r.Time.AppendFormat(dst, ctimeLayout)
	dst = append(dst, ' ')
	secs := (r.Duration + time.Second/2) / time.Second
	if secs < 1 {
		secs = 1
	}
	dst = strconv.AppendInt(dst, int64(secs), 10)
	dst = append(dst, ' ')
	if r.Remote.IsValid() {
		dst = r.Remote.Unmap().WithZone("").AppendTo(dst)
	} else {
		dst = append(dst, '*')
	}
	dst = append(dst, ' ')
	bytes := r.Bytes
	if bytes < 0 {
		bytes = 0
	}
	dst = strconv.AppendInt(dst, bytes, 10)
	dst = append(dst, ' ')
	dst = appendField(dst, r.Path)
	dst = append(dst, ' ', pick(r.ASCII, 'a', 'b'), ' ', '_', ' ', pick(r.Incoming, 'i', 'o'), ' ', pick(r.Anonymous, 'a', 'r'), ' ')
	dst = appendField(dst, r.User)
	dst = append(dst, " ftp 0 * "...)
	dst = append(dst, pick(r.Complete, 'c', 'i'), '\n')
	return dst
}

// appendField appends s with every byte that would split the field or the line replaced.
func appendField(dst []byte, s string) []byte {
	if s == "" {
		return append(dst, '*')
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c == 0x7f {
			c = '_'
		}
		dst = append(dst, c)
	}
	return dst
}

func pick(cond bool, yes, no byte) byte {
	if cond {
		return yes
	}
	return no
}
