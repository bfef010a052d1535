// Close reasons: why a control connection ended, decided where the close starts (the
// session for QUIT and its timers, a transport for limits, I/O and TLS) and handed to
// Handler.Closed, so logs and metrics can say why sessions end (nats-server's ClosedState).

package reactor

import "log/slog"

// CloseReason says why a control connection ended. The zero value is ReasonUnknown.
type CloseReason uint8

const (
	ReasonUnknown        CloseReason = iota
	ReasonClientQuit                 // QUIT answered
	ReasonClientClosed               // the client closed or reset the connection
	ReasonIdleTimeout                // no command within the idle timeout
	ReasonLoginTimeout               // no login within the login timeout
	ReasonLineTooLong                // a command line over proto.MaxLine
	ReasonInputLimit                 // more than Config.MaxInbound bytes waiting behind a command
	ReasonOutputLimit                // the client did not read its replies (Config.MaxOutbound, write timeout)
	ReasonServerShutdown             // Shutdown or Stop
	ReasonTLSHandshake               // the TLS handshake failed or timed out
	ReasonLoginAttempts              // too many failed logins (or the address got banned)
	ReasonServerBusy                 // the worker queue was full
	ReasonProxyRefused               // a PROXY header from a peer not trusted to send one
	ReasonIOError                    // a read, write or hand-over failed
	NumCloseReasons                  // the number of reasons, for tables indexed by reason
)

var closeReasonNames = [NumCloseReasons]string{
	ReasonUnknown:        "unknown",
	ReasonClientQuit:     "client_quit",
	ReasonClientClosed:   "client_closed",
	ReasonIdleTimeout:    "idle_timeout",
	ReasonLoginTimeout:   "login_timeout",
	ReasonLineTooLong:    "line_too_long",
	ReasonInputLimit:     "input_limit",
	ReasonOutputLimit:    "output_limit",
	ReasonServerShutdown: "server_shutdown",
	ReasonTLSHandshake:   "tls_handshake_failed",
	ReasonLoginAttempts:  "login_attempts",
	ReasonServerBusy:     "server_busy",
	ReasonProxyRefused:   "proxy_refused",
	ReasonIOError:        "io_error",
}

// String returns the reason as it appears in logs and in the metric's reason label
// (snake_case, stable). Out-of-range values read "unknown".
func (r CloseReason) String() string {
	if r < NumCloseReasons {
		return closeReasonNames[r]
	}
	return closeReasonNames[ReasonUnknown]
}

// LogValue implements slog.LogValuer: logs show the name, and a log line that is not
// written (level off, discarded) costs no allocation for it.
func (r CloseReason) LogValue() slog.Value { return slog.StringValue(r.String()) }
