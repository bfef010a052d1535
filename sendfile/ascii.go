// TYPE A line-ending conversion, append-style and resumable across chunk boundaries.

package sendfile

import "bytes"

// appendCRLF appends src to dst with every LF not already preceded by CR turned into CRLF
// (the network form of TYPE A). prevCR says whether the byte before src (the end of the
// previous chunk) was a CR; the returned bool is the same for the next chunk. At most
// 2*len(src) bytes are appended. Safe from any goroutine; allocates only if dst is short.
func appendCRLF(dst, src []byte, prevCR bool) ([]byte, bool) {
	for len(src) > 0 {
		i := bytes.IndexByte(src, '\n')
		if i < 0 {
			return append(dst, src...), src[len(src)-1] == '\r'
		}
		before := prevCR
		if i > 0 {
			before = src[i-1] == '\r'
		}
		dst = append(dst, src[:i]...)
		if !before {
			dst = append(dst, '\r')
		}
		dst = append(dst, '\n')
		prevCR = false
		src = src[i+1:]
	}
	return dst, prevCR
}

// appendLF appends src to dst with every CRLF turned into LF (the local form of TYPE A);
// a CR not followed by LF is kept. A CR at the end of src is withheld, because the next
// chunk may start with its LF: pendingCR carries it in and out. At EOF the caller writes
// a still-pending CR itself. At most len(src)+1 bytes are appended. Safe from any
// goroutine; allocates only if dst is short.
func appendLF(dst, src []byte, pendingCR bool) ([]byte, bool) {
	if len(src) == 0 {
		return dst, pendingCR
	}
	if pendingCR && src[0] != '\n' {
		dst = append(dst, '\r')
	}
	for len(src) > 0 {
		i := bytes.IndexByte(src, '\r')
		if i < 0 {
			return append(dst, src...), false
		}
		dst = append(dst, src[:i]...)
		if i+1 == len(src) {
			return dst, true
		}
		if src[i+1] != '\n' {
			dst = append(dst, '\r')
		}
		src = src[i+1:]
	}
	return dst, false
}
