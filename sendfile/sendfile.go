// Package sendfile moves file bytes between disk and data sockets: sendfile(2) for downloads,
// splice(2) for uploads, a pooled-buffer copy where zero-copy cannot apply (ASCII mode, TLS,
// non-file sources, or when switched off), throttling and stall detection in every path.
//
// The copies run in Chunk-sized system calls so that a Pacer can grant bytes between calls
// without leaving the zero-copy path. Send and Recv block the calling goroutine; they are
// meant to run on a transfer's own goroutine, never on an event loop.
package sendfile

import (
	"context"
	"errors"
	"sync/atomic"
	"time"
)

// DefaultChunk is the number of bytes moved per sendfile/splice/read call when
// Options.Chunk is 0: on loopback, 64 KiB calls beat one large io.Copy (see bench_test.go).
const DefaultChunk = 64 << 10

// MaxChunk caps Options.Chunk: larger values are treated as MaxChunk, so that the buffer
// path never asks the pool for more than 2*MaxChunk bytes.
const MaxChunk = 16 << 20

// Errors returned by Send and Recv, wrapped with the direction, path and bytes moved; test
// them with errors.Is.
var (
	// ErrStalled means the peer moved no byte within Options.Stall.
	ErrStalled = errors.New("sendfile: no data moved within the stall timeout")
	// errBadGrant means a Pacer broke its contract (granted no byte without an error).
	errBadGrant = errors.New("sendfile: pacer granted 0 bytes without an error")
)

// Pacer grants bytes to a transfer. Wait blocks the calling transfer goroutine until it may
// move at least 1 byte and returns how many (1..want), or ctx's error. throttle.Limiter
// implements it; nil means unlimited. Send and Recv call Wait only from their own goroutine,
// but one Pacer may be shared by many transfers, so implementations must be safe for
// concurrent use.
type Pacer interface {
	Wait(ctx context.Context, want int) (int, error)
}

// Options tunes one Send or Recv. A nil *Options means all defaults. Send and Recv only
// read it, so one Options may be shared by concurrent transfers (Progress then sums them).
type Options struct {
	// Chunk is the number of bytes per sendfile/splice/read call; 0 means DefaultChunk,
	// values above MaxChunk mean MaxChunk.
	Chunk int
	// Disable never uses sendfile/splice (the --disable-sendfile switch).
	Disable bool
	// ASCII is TYPE A: Send converts LF to CRLF (a CR already before the LF is kept as is),
	// Recv converts CRLF to LF (a lone CR is kept). Both are correct across chunk
	// boundaries. ASCII forces the buffer path.
	ASCII bool
	// Pacer throttles the transfer; nil means unlimited. Bytes are granted as they cross
	// the network: in ASCII Send, the converted (CRLF) bytes.
	Pacer Pacer
	// Stall fails the transfer with ErrStalled when no byte moves for this long: it is
	// reported between Stall and Stall+Stall/8 after the last byte moved (the conn's
	// deadline is set in ticks of Stall/8, see stallTicks). Time spent waiting on the Pacer
	// does not count. 0 means no stall timeout.
	Stall time.Duration
	// Progress, if non-nil, has the bytes written to dst added as they move (for STAT).
	Progress *atomic.Int64

	// counts, when set by this package's tests, records which copy path moved the bytes.
	counts *pathCounts
}

// pathCounts is a test hook: bytes moved by the zero-copy and by the buffer paths.
type pathCounts struct {
	zeroCopy atomic.Int64
	buffer   atomic.Int64
}

// chunkSize returns the effective chunk size of o (nil allowed).
func (o *Options) chunkSize() int {
	if o == nil || o.Chunk <= 0 {
		return DefaultChunk
	}
	return min(o.Chunk, MaxChunk)
}
