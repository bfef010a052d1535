// The contract between the reactor and what it runs (Handler, Transport), and the input
// and close logic both transports share: the gnet one (reactor.go) and the goroutine one
// used after TLS (goconn.go).

package reactor

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"syscall"

	"github.com/fastftp/fastftp/proto"
)

// Handler is what runs on a connection: an FTP session in the server, a few lines of
// test code in this package's tests. Its methods are called by the connection's owner
// (its event loop, or its goroutine after TLS), one at a time, unless a comment says
// otherwise.
type Handler interface {
	// Start attaches the transport of a plaintext connection and writes the greeting.
	Start(t Transport)
	// Resume attaches the transport of a connection that finished its TLS handshake:
	// a control connection that asked for AUTH TLS continues where it was, and with
	// implicitFTPS a connection that spoke TLS from its first byte starts (greeting
	// included). tlsID stamps the connection's session tickets (StampTickets).
	Resume(t Transport, tlsID []byte, implicitFTPS bool)
	// Feed consumes the complete lines at the head of in and reports how many bytes it
	// consumed; the rest is offered again, with more input behind it, on the next call.
	// in is valid only during the call.
	Feed(in []byte) (consumed int)
	// ObserveReplies sees the reply bytes about to be written (metrics). out is valid
	// only during the call.
	ObserveReplies(out []byte)
	// Closed tells a started handler that its connection is gone, and why. It is called
	// once, and not for a handler whose connection was handed over to TLS (Resume comes
	// instead), nor for one never started (an implicit FTPS handshake that failed).
	Closed(reason CloseReason)
	// Remote returns the client's address, for logs. Safe from any goroutine.
	Remote() netip.AddrPort
}

// Transport is the connection as a Handler sees it.
type Transport interface {
	// Out returns the buffer replies are appended to. Owner only; the transport writes it
	// when the current callback returns.
	Out() *[]byte
	// Post runs fn on the owner later, then feeds the handler its pending input. Safe from
	// any goroutine; fn is dropped if the connection is already gone.
	Post(fn func())
	// Close writes the pending replies, then closes the connection; reason reaches
	// Handler.Closed. The first reason given wins. Owner only.
	Close(reason CloseReason)
}

// TLSStarter is implemented by the transports that can move a connection onto TLS (the
// event-loop one): after the replies already in Out are written, the transport stops
// reading, runs the TLS handshake with the bytes the client pipelined behind the command
// (they belong to the handshake, never to Feed) and calls Handler.Resume. Owner only.
type TLSStarter interface {
	StartTLS()
}

// ending is the state both transports keep about how their connection ends.
type ending struct {
	closing bool // Close was called or a limit was hit: write what is pending, then close
	reason  CloseReason
}

func (e *ending) close(r CloseReason) {
	if !e.closing {
		e.closing, e.reason = true, r
	}
}

// inputLimitText is the 421 a client hears when it floods input while a command is in
// flight.
const inputLimitText = "Too much input while a command is in progress."

// feed is where input meets the handler, for both transports: it gives in to h and
// returns the bytes h consumed. If more than cfg.MaxInbound bytes stay unconsumed
// (pipelined or flooded behind a command in flight), it appends a 421 to out and marks the
// connection closing with ReasonInputLimit.
func feed(h Handler, e *ending, in []byte, out *[]byte, cfg *Config) int {
	if e.closing || len(in) == 0 {
		return 0
	}
	n := h.Feed(in)
	if rest := len(in) - n; !e.closing && rest > cfg.MaxInbound {
		cfg.Log.Warn("input limit exceeded; closing", "remote", h.Remote(), "buffered", rest, "max", cfg.MaxInbound)
		*out = proto.AppendReply(*out, 421, inputLimitText)
		e.close(ReasonInputLimit)
	}
	return n
}

// readEndReason says why a connection ended that the server did not close: EOF and resets
// are the client's doing, anything else is an I/O error.
func readEndReason(err error) CloseReason {
	switch {
	case err == nil, errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return ReasonClientClosed
	}
	return ReasonIOError
}

// writeEndReason says why a reply write failed: a timeout means the client stopped
// reading.
func writeEndReason(err error) CloseReason {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return ReasonOutputLimit
	}
	return readEndReason(err)
}
