// Remote test files: generated content uploaded once (skipped when already present with
// the right size), shared read-only blocks for fast uploads, and cleanup.

package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"sync"

	"github.com/fastftp/fastftp/ftpclient"
)

// xferBufSize is the data connection buffer: 64 KiB per read, like pyftpdlib's sendfile
// chunk, large enough that per-read costs vanish.
const xferBufSize = 64 << 10

// uploadBlockSize is the precomputed content repeated by uploads that are not verified.
const uploadBlockSize = 1 << 20

var (
	blockMu sync.Mutex
	blocks  = map[uint64][]byte{}
)

// uploadBlock returns the first uploadBlockSize bytes of content for seed, shared.
func uploadBlock(seed uint64) []byte {
	blockMu.Lock()
	defer blockMu.Unlock()
	b := blocks[seed]
	if b == nil {
		b = make([]byte, uploadBlockSize)
		ftpclient.FillContent(b, seed, 0)
		blocks[seed] = b
	}
	return b
}

// contentName names a generated file so that its size and seed identify its content.
func contentName(prefix string, size int64, seed uint64) string {
	return prefix + "-" + strconv.FormatInt(size, 10) + "-" + strconv.FormatUint(seed, 10) + ".dat"
}

// ensureFile uploads size bytes of content for seed to path unless SIZE already says so.
func (e *env) ensureFile(ctx context.Context, c *ftpclient.Conn, path string, size int64, seed uint64) error {
	if n, err := c.Size(path); err == nil && n == size {
		return nil
	}
	buf := make([]byte, xferBufSize)
	if _, err := c.Stor(ctx, path, &ftpclient.ContentReader{Seed: seed, Size: size}, buf); err != nil {
		return fmt.Errorf("bench: upload test file %s: %w", path, err)
	}
	return nil
}

// ensureDir creates path, ignoring "already exists".
func ensureDir(c *ftpclient.Conn, path string) error {
	code, text, err := c.Cmd("MKD", path)
	if err != nil {
		return err
	}
	if code/100 == 2 || code == 550 || code == 553 || code == 521 {
		return nil
	}
	return ftpclient.NewReplyError("MKD", code, text)
}

// remove deletes remote files, ignoring failures: cleanup must not hide results. The
// user's --file is never deleted, whoever asks.
func (e *env) remove(ctx context.Context, paths ...string) {
	if e.cfg.Keep {
		return
	}
	var mine []string
	for _, p := range paths {
		if p != "" && p != e.cfg.File {
			mine = append(mine, p)
		}
	}
	if len(mine) == 0 {
		return
	}
	const par = 8 // the list directory holds thousands: delete them over a few sessions
	var wg sync.WaitGroup
	for s := 0; s < min(par, len(mine)); s++ {
		wg.Add(1)
		go func(s int) {
			defer wg.Done()
			c, err := e.session(ctx)
			if err != nil {
				return
			}
			defer c.Quit()
			for i := s; i < len(mine); i += par {
				c.Cmd("DELE", mine[i])
			}
		}(s)
	}
	wg.Wait()
}

// removeDir deletes the files a scenario created in dir, then dir itself, unless --keep.
// A directory that still holds something else stays.
func (e *env) removeDir(ctx context.Context, dir string, files []string) {
	if e.cfg.Keep {
		return
	}
	e.remove(ctx, files...)
	c, err := e.session(ctx)
	if err != nil {
		return
	}
	defer c.Quit()
	c.Cmd("RMD", dir)
}

// cleanupScenario removes the directories scenario name created (the list and mirror
// trees, kept across repetitions), unless --keep.
func (e *env) cleanupScenario(ctx context.Context, name string) {
	switch name {
	case "list":
		e.removeDir(ctx, e.listDir(), e.listFiles())
	case "mirror":
		var files []string
		for _, f := range e.mirrorFiles() {
			files = append(files, f.path)
		}
		e.removeDir(ctx, e.mirrorDir(), files)
	}
}

// Cleanup removes what scenario name left for its runs (for --procs parents, whose
// children keep everything), unless cfg.Keep.
func Cleanup(ctx context.Context, cfg Config, name string) {
	c := cfg.withDefaults(false)
	if c.User == "" {
		c.User, c.Pass = "anonymous", "ftpbench@"
	}
	e := &env{cfg: &c, d: &ftpclient.Dialer{Addr: c.Addr(), Timeout: c.Timeout, Data: c.Data, TLS: c.TLS,
		TLSConfig: c.TLSConfig, Sources: c.Sources}}
	e.cleanupScenario(ctx, name)
}

// countNames counts the entries of an NLST of path.
func countNames(ctx context.Context, c *ftpclient.Conn, path string) (int, error) {
	var b bytes.Buffer
	buf := make([]byte, xferBufSize)
	if _, err := c.List(ctx, "NLST", path, buf, &b); err != nil {
		return 0, err
	}
	return bytes.Count(b.Bytes(), []byte{'\n'}), nil
}

// discard is an io.Writer that keeps nothing.
var discard io.Writer = io.Discard

// Remove deletes remote files (for --procs parents cleaning up after their children).
func Remove(ctx context.Context, cfg Config, paths ...string) {
	c := cfg.withDefaults(false)
	if c.User == "" {
		c.User, c.Pass = "anonymous", "ftpbench@"
	}
	e := &env{cfg: &c, d: &ftpclient.Dialer{Addr: c.Addr(), Timeout: c.Timeout, Data: c.Data, TLS: c.TLS,
		TLSConfig: c.TLSConfig, Sources: c.Sources}}
	e.remove(ctx, paths...)
}
