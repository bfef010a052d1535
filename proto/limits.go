// limits.go: every size limit of the wire language, in one place (as vsftpd's defs.h).

package proto

const (
	// MaxLine is the longest command line accepted, terminator included (vsftpd's
	// VSFTP_MAX_COMMAND_LINE). NextLine returns ErrLineTooLong past it; the caller answers
	// 500 and closes the connection.
	MaxLine = 4096

	// MaxVerbLen is the longest known command name: RFC 959 verbs are 3 or 4 letters, the
	// legacy checksum commands XSHA256 and XSHA512 are 7.
	MaxVerbLen = 7

	// MaxEchoName bounds the command name kept in Command.Name for an unknown command, so
	// the "500 'XYZ': command not understood" echo stays short whatever the client sent.
	MaxEchoName = 16
)
