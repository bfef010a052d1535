// retr and stor: N parallel streams moving FileSize-byte files, MB/s over the measured
// window and per-transfer latency; --verify checks sha256 of what came back.

package bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"strconv"

	"github.com/fastftp/fastftp/ftpclient"
)

// xferWorker holds one stream's session, reconnecting after a failure.
type xferWorker struct {
	e *env
	r *runner
	liveConn
	buf    []byte
	path   string
	size   int64
	seed   uint64
	m      meter
	src    uploadSource
	stor   bool
	lastOK bool
}

func (w *xferWorker) prepare(ctx context.Context) error {
	return w.ensure(ctx, w.e)
}

func (w *xferWorker) op(ctx context.Context) error {
	var err error
	w.lastOK = false
	if w.stor {
		w.src.reset(w.size)
		_, err = w.c.Stor(ctx, w.path, &w.src, w.buf)
	} else {
		if w.m.h != nil {
			w.m.h.Reset()
		}
		_, err = w.c.Retr(ctx, w.path, w.size, w.buf, &w.m)
		if err == nil && w.m.h != nil && !w.hashOK() {
			return fmt.Errorf("bench: RETR %s: %w", w.path, ErrCorruptData)
		}
	}
	if err != nil {
		// The session state after a failed transfer is unknown: start a fresh one.
		w.c.Close()
		w.live = false
		return err
	}
	w.lastOK = true
	return nil
}

func (w *xferWorker) hashOK() bool {
	var got [32]byte
	w.m.h.Sum(got[:0])
	want := ftpclient.ContentSHA256(w.seed, w.size)
	return bytes.Equal(got[:], want[:])
}

// close verifies the last complete upload (stor --verify) by reading it back.
func (w *xferWorker) close() {
	if w.stor && w.e.cfg.Verify && w.lastOK && w.live {
		m := meter{r: &runner{countMode: true}, h: sha256.New()}
		m.r.phase.Store(phaseStopped)
		_, err := w.c.Retr(context.Background(), w.path, w.size, w.buf, &m)
		if err == nil {
			w.m.h = m.h
			if !w.hashOK() {
				err = fmt.Errorf("bench: read back %s: %w", w.path, ErrCorruptData)
			}
		}
		if err != nil {
			w.r.fail(err)
		}
	}
	if w.live {
		w.c.Quit()
	}
	w.c.Close()
}

func (e *env) newXferWorker(r *runner, stor bool, path string) *xferWorker {
	w := &xferWorker{e: e, r: r, buf: make([]byte, xferBufSize), path: path,
		size: e.cfg.FileSize, seed: e.cfg.Seed, stor: stor}
	w.m.r = r
	if e.cfg.Verify {
		w.m.h = sha256.New()
	}
	w.src = uploadSource{r: r, exact: ftpclient.ContentReader{Seed: e.cfg.Seed},
		block: uploadBlock(e.cfg.Seed), exactContent: e.cfg.Verify}
	return w
}

// useFile makes --file the file every RETR downloads: its size (SIZE) becomes FileSize,
// nothing is uploaded and it is never deleted, so a read-only server can be measured.
// Its content is unknown, so --verify cannot check it.
func (e *env) useFile(ctx context.Context) error {
	if e.cfg.Verify {
		return fmt.Errorf("bench: --verify checks generated content, not --file %s: %w", e.cfg.File, ErrBadConfig)
	}
	c, err := e.session(ctx)
	if err != nil {
		return fmt.Errorf("bench: --file %s: %w", e.cfg.File, err)
	}
	defer c.Quit()
	n, err := c.Size(e.cfg.File)
	if err != nil {
		return fmt.Errorf("bench: --file %s: SIZE: %w", e.cfg.File, err)
	}
	e.cfg.FileSize = n
	return nil
}

// prepareRetrFile uploads the file retr downloads, or names --file.
func (e *env) prepareRetrFile(ctx context.Context) (string, error) {
	if e.cfg.File != "" {
		return e.cfg.File, nil
	}
	path := e.cfg.remotePath(contentName("ftpbench", e.cfg.FileSize, e.cfg.Seed))
	c, err := e.session(ctx)
	if err != nil {
		return "", fmt.Errorf("bench: prepare %s: %w", path, err)
	}
	defer c.Quit()
	if e.cfg.Dir != "" {
		if err := ensureDir(c, e.cfg.Dir); err != nil {
			return "", err
		}
	}
	return path, e.ensureFile(ctx, c, path, e.cfg.FileSize, e.cfg.Seed)
}

func runRetr(ctx context.Context, e *env) (*Result, error) {
	path, err := e.prepareRetrFile(ctx)
	if err != nil {
		return nil, err
	}
	defer e.remove(ctx, path)
	r := newRunner(e.cfg, e.d, "retr")
	r.expected = e.countBytes()
	n := e.cfg.Clients
	r.drive(ctx, n, func(int) worker { return e.newXferWorker(r, false, path) })
	what := FormatSize(e.cfg.FileSize) + " file"
	if e.cfg.File != "" {
		what = e.cfg.File + ", " + FormatSize(e.cfg.FileSize)
	}
	res := r.result("retr", fmt.Sprintf("retr: %d streams (RETR %s)", n, what), n, "transfers")
	res.Headline = "throughput"
	return res, nil
}

func runStor(ctx context.Context, e *env) (*Result, error) {
	r := newRunner(e.cfg, e.d, "stor")
	r.expected = e.countBytes()
	n := e.cfg.Clients
	var paths []string
	for i := 0; i < n; i++ {
		paths = append(paths, e.cfg.remotePath("ftpbench-stor-"+e.cfg.Tag+strconv.Itoa(i)+".dat"))
	}
	if e.cfg.Dir != "" {
		if c, err := e.session(ctx); err == nil {
			ensureDir(c, e.cfg.Dir)
			c.Quit()
		}
	}
	r.drive(ctx, n, func(i int) worker { return e.newXferWorker(r, true, paths[i]) })
	e.remove(ctx, paths...)
	res := r.result("stor", fmt.Sprintf("stor: %d streams (STOR %s file)", n, FormatSize(e.cfg.FileSize)), n, "transfers")
	res.Headline = "throughput"
	return res, nil
}

// countBytes is what a --count run of whole-file transfers must move; 0 in duration mode,
// where transfers cut by the window's edges make the total unknowable in advance.
func (e *env) countBytes() uint64 {
	if e.cfg.Count <= 0 {
		return 0
	}
	return uint64(e.cfg.Count) * uint64(e.cfg.FileSize)
}
