// starttls_unix.go: AUTH TLS on a gnet connection. The socket is duplicated and adopted
// by net.FileConn on the TLS side, which Windows lacks (and gnet's Windows connections
// keep a goroutine reading the socket, which would take the ClientHello): there conn does
// not implement TLSStarter, so AUTH TLS is answered 534 and implicit FTPS is the way
// to TLS.

//go:build unix

package reactor

// StartTLS implements TLSStarter: once the reply in Out is written, the socket leaves the
// event loop (gnet has no TLS) and the handler continues on a goroutine (tls.go).
func (cs *conn) StartTLS() { cs.startTLS = true }
