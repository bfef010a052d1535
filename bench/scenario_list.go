// list: LIST of a large directory (ListFiles entries, created once for all repetitions and
// removed after them unless --keep), listings/s, entries/s and latency; a listing with
// fewer lines than entries counts as short data.

package bench

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"sync"

	"github.com/fastftp/fastftp/ftpclient"
)

// lineMeter counts bytes (through meter) and lines of a listing.
type lineMeter struct {
	meter
	lines int
}

func (m *lineMeter) Write(p []byte) (int, error) {
	n, err := m.meter.Write(p)
	m.lines += bytes.Count(p[:n], []byte{'\n'})
	return n, err
}

type listWorker struct {
	e *env
	liveConn
	buf  []byte
	dir  string
	want int
	m    lineMeter
}

func (w *listWorker) prepare(ctx context.Context) error {
	return w.ensure(ctx, w.e)
}

func (w *listWorker) op(ctx context.Context) error {
	w.m.lines = 0
	_, err := w.c.List(ctx, "LIST", w.dir, w.buf, &w.m)
	if err != nil {
		w.c.Close()
		w.live = false
		return err
	}
	if w.m.lines < w.want {
		return fmt.Errorf("bench: LIST %s: %d entries, want %d: %w", w.dir, w.m.lines, w.want, ftpclient.ErrShortData)
	}
	return nil
}

func (w *listWorker) close() {
	if w.live {
		w.c.Quit()
	}
	w.c.Close()
}

// listDirName names the list directory by its size so that runs can share it.
func (e *env) listDir() string {
	return e.cfg.remotePath("ftpbench-list-" + strconv.Itoa(e.cfg.ListFiles))
}

// listFiles names the list directory's entries.
func (e *env) listFiles() []string {
	dir := e.listDir()
	names := make([]string, e.cfg.ListFiles)
	for i := range names {
		names[i] = dir + "/f" + strconv.Itoa(100000 + i)[1:]
	}
	return names
}

// prepareListDir creates the directory and its empty files with a few parallel sessions.
func (e *env) prepareListDir(ctx context.Context) error {
	dir := e.listDir()
	c, err := e.session(ctx)
	if err != nil {
		return fmt.Errorf("bench: prepare %s: %w", dir, err)
	}
	if e.cfg.Dir != "" {
		ensureDir(c, e.cfg.Dir)
	}
	if err := ensureDir(c, dir); err != nil {
		c.Quit()
		return err
	}
	have, err := countNames(ctx, c, dir)
	c.Quit()
	if err != nil {
		return fmt.Errorf("bench: NLST %s: %w", dir, err)
	}
	if have >= e.cfg.ListFiles {
		return nil
	}
	const par = 8
	names := e.listFiles()
	var wg sync.WaitGroup
	errs := make(chan error, par)
	for p := 0; p < par; p++ {
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			c, err := e.session(ctx)
			if err != nil {
				errs <- err
				return
			}
			defer c.Quit()
			buf := make([]byte, 512)
			for i := p; i < len(names); i += par {
				if _, err := c.Stor(ctx, names[i], &ftpclient.ContentReader{}, buf); err != nil {
					errs <- err
					return
				}
			}
		}(p)
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return fmt.Errorf("bench: create files in %s: %w", dir, err)
	}
	return nil
}

func runList(ctx context.Context, e *env) (*Result, error) {
	if err := e.prepareListDir(ctx); err != nil {
		return nil, err
	}
	r := newRunner(e.cfg, e.d, "list")
	n := e.cfg.Clients
	r.drive(ctx, n, func(int) worker {
		w := &listWorker{e: e, buf: make([]byte, xferBufSize), dir: e.listDir(), want: e.cfg.ListFiles}
		w.m.r = r
		return w
	})
	res := r.result("list", fmt.Sprintf("list: %d clients (LIST of %d entries)", n, e.cfg.ListFiles), n, "listings")
	res.Headline = "rate"
	if res.Seconds > 0 {
		res.add("entries_rate", float64(res.Ops)*float64(e.cfg.ListFiles)/res.Seconds, "entries/s", "higher")
	}
	return res, nil
}
