// reply.go: the reply encoder; every text is sanitised so no argument can forge a reply line.

package proto

// All reply encoders append to dst and return the extended slice (the append convention:
// dst is never retained, the result may share its backing array). They allocate only
// when dst lacks capacity. Safe from any goroutine for distinct dst.
//
// Sanitising follows the RFC 959/2640 pathname convention: CR becomes CR NUL and LF becomes
// NUL, so a filename or an echoed argument can never end a reply line early or start a
// forged one. NUL and all other bytes (including invalid UTF-8) pass through.

// AppendReply appends "code text\r\n". code must be 100-599; any other value is a
// programming error and is written as 500 so the wire still carries a valid reply.
func AppendReply(dst []byte, code int, text string) []byte {
	dst = appendCode(dst, code, ' ')
	dst = appendSanitized(dst, text)
	return append(dst, '\r', '\n')
}

// AppendReplyBytes is AppendReply with a byte-slice text (an echoed argument, a path).
func AppendReplyBytes(dst []byte, code int, text []byte) []byte {
	dst = appendCode(dst, code, ' ')
	dst = appendSanitized(dst, text)
	return append(dst, '\r', '\n')
}

// AppendReplyStart appends "code-text\r\n", the first line of a multi-line reply. Finish
// the reply with AppendReplyCont lines and a final AppendReply with the same code.
func AppendReplyStart(dst []byte, code int, text string) []byte {
	dst = appendCode(dst, code, '-')
	dst = appendSanitized(dst, text)
	return append(dst, '\r', '\n')
}

// AppendReplyCont appends " text\r\n", a continuation line of a multi-line reply. The
// leading space guarantees the line can never be read as the reply's final line.
func AppendReplyCont(dst []byte, text []byte) []byte {
	dst = append(dst, ' ')
	dst = appendSanitized(dst, text)
	return append(dst, '\r', '\n')
}

// AppendSanitized appends text with CR -> CR NUL and LF -> NUL, nothing else changed.
func AppendSanitized(dst []byte, text []byte) []byte { return appendSanitized(dst, text) }

// AppendSanitizedString is AppendSanitized for a string.
func AppendSanitizedString(dst []byte, text string) []byte { return appendSanitized(dst, text) }

// AppendQuotedPath appends "p" for 257 replies: quotes around, an embedded " doubled
// (RFC 959 appendix II), sanitised as above.
func AppendQuotedPath(dst []byte, p string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(p); i++ {
		if p[i] == '"' {
			dst = appendSanitized(dst, p[start:i+1]) // through the quote, then one more
			dst = append(dst, '"')
			start = i + 1
		}
	}
	dst = appendSanitized(dst, p[start:])
	return append(dst, '"')
}

func appendCode(dst []byte, code int, sep byte) []byte {
	if code < 100 || code > 599 {
		code = 500
	}
	return append(dst, byte('0'+code/100), byte('0'+code/10%10), byte('0'+code%10), sep)
}

// appendSanitized serves both strings and byte slices without a conversion; it copies
// clean runs in one append and only touches CR and LF.
func appendSanitized[T string | []byte](dst []byte, text T) []byte {
	start := 0
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '\r':
			dst = append(dst, text[start:i]...)
			dst = append(dst, '\r', 0)
			start = i + 1
		case '\n':
			dst = append(dst, text[start:i]...)
			dst = append(dst, 0)
			start = i + 1
		}
	}
	return append(dst, text[start:]...)
}
