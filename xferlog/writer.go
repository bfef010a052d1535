// writer.go: the log file: one write(2) per record, reopened in place for logrotate.

package xferlog

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
)

// Sentinel errors, compared with errors.Is.
var (
	// ErrClosed reports Log or Reopen on a closed Writer. It matches os.ErrClosed.
	ErrClosed error = closedError{}
)

type closedError struct{}

func (closedError) Error() string        { return "xferlog: writer closed" }
func (closedError) Is(target error) bool { return target == os.ErrClosed }

// Writer appends records to a log file. All methods are safe from any goroutine. Each
// record is one write(2) of a whole line to a file opened with O_APPEND, so lines from
// several processes or goroutines never interleave and nothing is lost in a buffer if the
// process dies. Log does not allocate.
type Writer struct {
	path string

	mu  sync.Mutex
	f   *os.File // nil after Close
	buf []byte   // reused line buffer, guarded by mu
}

// Open opens path for appending, creating it with mode 0644 (before the umask). The error
// names path. Safe from any goroutine.
func Open(path string) (*Writer, error) {
	f, err := openLog(path)
	if err != nil {
		return nil, err
	}
	return &Writer{path: path, f: f, buf: make([]byte, 0, 512)}, nil
}

func openLog(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("xferlog: open %s: %w", path, cause(err))
	}
	return f, nil
}

// Path returns the file name given to Open. Safe from any goroutine.
func (w *Writer) Path() string { return w.path }

// Log appends r as one line. The error names the file. Safe from any goroutine; it may
// block on the disk, so call it from a transfer goroutine, never from an event loop.
func (w *Writer) Log(r *Record) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return ErrClosed
	}
	w.buf = AppendRecord(w.buf[:0], r)
	if _, err := w.f.Write(w.buf); err != nil {
		return fmt.Errorf("xferlog: write %s: %w", w.path, cause(err))
	}
	return nil
}

// Reopen closes the file and opens path again, so that after logrotate renamed the log
// (or on SIGHUP) new records go to a new file at the configured name. If the new open
// fails the Writer keeps the old file, and the error names path. Safe from any goroutine.
func (w *Writer) Reopen() error {
	nf, err := openLog(w.path)
	if err != nil {
		return err
	}
	w.mu.Lock()
	old := w.f
	if old == nil {
		w.mu.Unlock()
		nf.Close()
		return ErrClosed
	}
	w.f = nf
	w.mu.Unlock()
	if err := old.Close(); err != nil {
		return fmt.Errorf("xferlog: close old %s: %w", w.path, cause(err))
	}
	return nil
}

// Close closes the file; later Log and Reopen calls return ErrClosed, and so does a
// second Close. Safe from any goroutine.
func (w *Writer) Close() error {
	w.mu.Lock()
	f := w.f
	w.f = nil
	w.mu.Unlock()
	if f == nil {
		return ErrClosed
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("xferlog: close %s: %w", w.path, cause(err))
	}
	return nil
}

// cause strips os's *fs.PathError (whose text holds the path we already name).
func cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
