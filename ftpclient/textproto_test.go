// The naive twin used by BenchmarkReplyTextproto.
package ftpclient

import (
	"bufio"
	"net/textproto"
)

func textprotoReader(r *bufio.Reader) *textproto.Reader { return textproto.NewReader(r) }
