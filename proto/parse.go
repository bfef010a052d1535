// parse.go: the line splitter, the command parser and the TYPE argument parser.

package proto

import "bytes"

// Command is one parsed command line. Name and Arg alias the line given to Parse: they are
// valid until the caller reuses or discards that buffer; copy what must outlive it.
type Command struct {
	Verb Verb   // Unknown when the name is not a known verb
	Name []byte // the command name as sent (for "500 'XYZ': command not understood")
	Arg  []byte // everything after the first space; may be empty; not trimmed otherwise
}

// NextLine finds the first complete line in buf. It returns the line without its
// terminator (CRLF, or a bare LF, which real clients send) and n, the bytes to consume.
// n == 0 and err == nil means no complete line yet. If the first MaxLine bytes hold no LF
// it returns ErrLineTooLong (the caller answers 500 and closes).
//
// line aliases buf and lives as long as buf's contents do. Safe from any goroutine.
func NextLine(buf []byte) (line []byte, n int, err error) {
	window := buf
	if len(window) > MaxLine {
		window = window[:MaxLine]
	}
	i := bytes.IndexByte(window, '\n')
	if i < 0 {
		if len(buf) >= MaxLine {
			return nil, 0, ErrLineTooLong
		}
		return nil, 0, nil
	}
	line = buf[:i]
	if i > 0 && line[i-1] == '\r' {
		line = line[:i-1]
	}
	return line, i + 1, nil
}

// Parse splits one line (as returned by NextLine) into a Command. It first strips Telnet
// IAC sequences IN PLACE (IAC IAC -> one 0xFF byte; IAC WILL/WONT/DO/DONT x -> removed;
// IAC + any other single byte (IP, DM, ...) -> removed), so Name/Arg alias line. Leading
// spaces before the verb are skipped, and so are Telnet command bytes that lost their IAC
// in a line that carried IAC sequences (see isOrphanTelnet). A name that is not a verb (see Lookup) is
// Unknown (Name still set, truncated to at most MaxEchoName bytes for the error reply).
// Bytes other than IAC are passed through untouched (NUL, invalid UTF-8, a stray CR).
//
// Parse modifies line; Name and Arg alias it. Safe from any goroutine for distinct lines.
func Parse(line []byte) Command {
	n := len(line)
	line = StripTelnet(line)
	telnet := len(line) < n // the line carried IAC sequences: orphans may follow them
	i := 0
	for i < len(line) && (line[i] == ' ' || telnet && isOrphanTelnet(line[i])) {
		i++
	}
	line = line[i:]
	var c Command
	if sp := bytes.IndexByte(line, ' '); sp >= 0 {
		c.Name, c.Arg = line[:sp], line[sp+1:]
	} else {
		c.Name, c.Arg = line, line[len(line):]
	}
	c.Verb = Lookup(c.Name)
	if len(c.Name) > MaxEchoName {
		c.Name = c.Name[:MaxEchoName]
	}
	return c
}

// Telnet bytes (RFC 854) that may appear on an FTP control connection.
const (
	telnetIAC  = 255
	telnetWILL = 251
	telnetDONT = 254 // WILL WONT DO DONT are 251..254 and take an option byte
)

// isOrphanTelnet tells whether c is a Telnet command byte (SE 0xF0 .. DONT 0xFE) standing
// without its IAC at the head of a line. BSD ftp and tnftp abort with send("IAC IP IAC",
// MSG_OOB) and then "DM ABOR\r\n": only the last IAC is urgent, Linux takes it out of the
// stream (no SO_OOBINLINE), and the line arrives as "\xff\xf4\xf2ABOR". After IAC IP is
// stripped, the DM (0xF2) is left in front of the verb. No verb starts with such a byte.
func isOrphanTelnet(c byte) bool { return c >= 0xF0 && c <= 0xFE }

// StripTelnet removes Telnet IAC sequences from line in place and returns the shortened
// line (a prefix of line's backing array): IAC IAC becomes one 0xFF byte, IAC WILL/WONT/DO/
// DONT and their option byte are removed, IAC and any other single byte (IP, DM, AO, ...) are
// removed, and a truncated sequence at the end of the line is dropped. Lines without 0xFF
// are returned untouched at the cost of one IndexByte. Safe from any goroutine for distinct
// lines.
func StripTelnet(line []byte) []byte {
	i := bytes.IndexByte(line, telnetIAC)
	if i < 0 {
		return line
	}
	w := i
	for i < len(line) {
		c := line[i]
		if c != telnetIAC {
			line[w] = c
			w++
			i++
			continue
		}
		if i+1 >= len(line) { // lone IAC at the end
			break
		}
		switch cmd := line[i+1]; {
		case cmd == telnetIAC:
			line[w] = telnetIAC
			w++
			i += 2
		case cmd >= telnetWILL && cmd <= telnetDONT:
			i += 3 // may step past the end when the option byte is missing
		case cmd < 0xF0:
			// Not a Telnet command: the byte after IAC went out-of-band (lftp sends
			// IAC IP inline, then IAC DM as TCP urgent data, so the DM never arrives
			// inline). Drop the IAC alone and keep the data byte: "\xff\xf4\xffABOR" is ABOR.
			i++
		default:
			i += 2
		}
	}
	return line[:w]
}

// ParseType parses a TYPE argument: "A", "A N", "I", "L 8" (-> 'I'), case-insensitive,
// spaces between the parameters optional. Returns 'A' or 'I', ErrUnsupported for well-formed
// types this server does not implement ("E", "A T", "A C", "L 7"), or ErrSyntax. Safe from
// any goroutine; does not retain arg.
func ParseType(arg []byte) (byte, error) {
	arg = trimSpaces(arg)
	if len(arg) == 0 {
		return 0, ErrSyntax
	}
	code := upper(arg[0])
	rest := trimSpaces(arg[1:])
	switch code {
	case 'A', 'E':
		if len(rest) > 1 {
			return 0, ErrSyntax
		}
		form := byte('N')
		if len(rest) == 1 {
			form = upper(rest[0])
		}
		switch form {
		case 'N':
		case 'T', 'C':
			return 0, ErrUnsupported
		default:
			return 0, ErrSyntax
		}
		if code == 'E' {
			return 0, ErrUnsupported
		}
		return 'A', nil
	case 'I':
		if len(rest) != 0 {
			return 0, ErrSyntax
		}
		return 'I', nil
	case 'L':
		n, ok := parseUint(rest, 255)
		switch {
		case !ok || n == 0:
			return 0, ErrSyntax
		case n != 8:
			return 0, ErrUnsupported
		}
		return 'I', nil
	}
	return 0, ErrSyntax
}
