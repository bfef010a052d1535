// Package ftpclient is a small FTP client built for load generation and tests: a control
// connection with a small reused buffer and allocation-free reply parsing (ReplyReader,
// ScanReply), PASV/EPSV/PORT/EPRT data connections (ParsePASV, ParseEPSV, AppendPORT,
// AppendEPRT), explicit and implicit FTPS whose data connections resume the control
// connection's TLS session, parked idle sessions that hold no buffer, and generated file
// content any offset of which can be reproduced (FillContent, ContentSHA256).
//
// A Dialer is configured once and then shared; a Conn is owned by one goroutine at a
// time. Byte slices returned by a Conn live until its next call.
package ftpclient
