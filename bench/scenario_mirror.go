// mirror: a public mirror's mix. Sessions come and go (each lives for a random number of
// commands); most commands are RETR of assorted sizes (small files far more often than
// large ones), the rest LIST, CWD/CDUP, SIZE and MDTM.

package bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"strconv"

	"github.com/fastftp/fastftp/ftpclient"
)

// mirrorFile is one file of the mirror tree and its pick weight.
type mirrorFile struct {
	path   string
	size   int64
	seed   uint64
	weight int
}

// mirrorSizes: the file sizes and how often each is fetched (per mille).
var mirrorSizes = []struct {
	size   int64
	weight int
}{{1 << 10, 250}, {4 << 10, 220}, {16 << 10, 170}, {64 << 10, 140}, {256 << 10, 100},
	{1 << 20, 70}, {4 << 20, 40}}

// Mix of commands, per mille.
const (
	mixRETR = 700
	mixLIST = 100
	mixCWD  = 80
	mixSIZE = 60
	// the remaining 60: MDTM
	mirrorMaxCmds = 20 // a session issues 1..mirrorMaxCmds commands, then QUITs
)

func (e *env) mirrorDir() string { return e.cfg.remotePath("ftpbench-mirror") }

func (e *env) mirrorFiles() []mirrorFile {
	var fs []mirrorFile
	for i, s := range mirrorSizes {
		fs = append(fs, mirrorFile{path: e.mirrorDir() + "/" + contentName("m", s.size, e.cfg.Seed+uint64(i)),
			size: s.size, seed: e.cfg.Seed + uint64(i), weight: s.weight})
	}
	// The configured file size joins as the rare big download.
	fs = append(fs, mirrorFile{path: e.mirrorDir() + "/" + contentName("m", e.cfg.FileSize, e.cfg.Seed+99),
		size: e.cfg.FileSize, seed: e.cfg.Seed + 99, weight: 10})
	return fs
}

func (e *env) prepareMirror(ctx context.Context) error {
	c, err := e.session(ctx)
	if err != nil {
		return fmt.Errorf("bench: prepare mirror: %w", err)
	}
	defer c.Quit()
	if e.cfg.Dir != "" {
		ensureDir(c, e.cfg.Dir)
	}
	if err := ensureDir(c, e.mirrorDir()); err != nil {
		return err
	}
	for _, f := range e.mirrorFiles() {
		if err := e.ensureFile(ctx, c, f.path, f.size, f.seed); err != nil {
			return err
		}
	}
	return nil
}

type mirrorWorker struct {
	e *env
	liveConn
	left  int
	rng   *rand.Rand
	files []mirrorFile
	total int
	buf   []byte
	m     meter
	kinds *[5]counter
}

func (w *mirrorWorker) prepare(ctx context.Context) error {
	if w.live {
		return nil
	}
	if err := w.ensure(ctx, w.e); err != nil {
		return err
	}
	w.left = 1 + w.rng.IntN(mirrorMaxCmds)
	return nil
}

func (w *mirrorWorker) op(ctx context.Context) error {
	err := w.command(ctx)
	if err != nil {
		if _, ok := err.(*ftpclient.ReplyError); !ok {
			w.c.Close()
			w.live = false
			return err
		}
	}
	w.left--
	if w.left <= 0 && w.live {
		w.live = false
		if qerr := w.c.Quit(); qerr != nil && err == nil {
			err = qerr
		}
	}
	return err
}

func (w *mirrorWorker) command(ctx context.Context) error {
	x := w.rng.IntN(1000)
	switch {
	case x < mixRETR:
		w.kinds[0].n.Add(1)
		f := w.pick()
		if w.m.h != nil {
			w.m.h.Reset()
		}
		if _, err := w.c.Retr(ctx, f.path, f.size, w.buf, &w.m); err != nil {
			return err
		}
		if w.m.h != nil {
			var got [32]byte
			w.m.h.Sum(got[:0])
			if want := ftpclient.ContentSHA256(f.seed, f.size); !bytes.Equal(got[:], want[:]) {
				return fmt.Errorf("bench: RETR %s: %w", f.path, ErrCorruptData)
			}
		}
		return nil
	case x < mixRETR+mixLIST:
		w.kinds[1].n.Add(1)
		_, err := w.c.List(ctx, "LIST", w.e.mirrorDir(), w.buf, &w.m)
		return err
	case x < mixRETR+mixLIST+mixCWD:
		w.kinds[2].n.Add(1)
		if err := w.c.Expect("CWD", w.e.mirrorDir(), 2); err != nil {
			return err
		}
		return w.c.Expect("CDUP", "", 2)
	case x < mixRETR+mixLIST+mixCWD+mixSIZE:
		w.kinds[3].n.Add(1)
		f := w.pick()
		n, err := w.c.Size(f.path)
		if err == nil && n != f.size {
			err = fmt.Errorf("bench: SIZE %s = %d, want %d: %w", f.path, n, f.size, ftpclient.ErrShortData)
		}
		return err
	default:
		w.kinds[4].n.Add(1)
		return w.c.Expect("MDTM", w.pick().path, 213)
	}
}

func (w *mirrorWorker) pick() *mirrorFile {
	x := w.rng.IntN(w.total)
	for i := range w.files {
		if x < w.files[i].weight {
			return &w.files[i]
		}
		x -= w.files[i].weight
	}
	return &w.files[len(w.files)-1]
}

func (w *mirrorWorker) close() {
	if w.live {
		w.c.Quit()
	}
	w.c.Close()
}

func runMirror(ctx context.Context, e *env) (*Result, error) {
	if err := e.prepareMirror(ctx); err != nil {
		return nil, err
	}
	files := e.mirrorFiles()
	total := 0
	for _, f := range files {
		total += f.weight
	}
	var kinds [5]counter
	r := newRunner(e.cfg, e.d, "mirror")
	n := e.cfg.Clients
	r.drive(ctx, n, func(i int) worker {
		w := &mirrorWorker{e: e, rng: rand.New(rand.NewPCG(e.cfg.Seed, uint64(i))), files: files,
			total: total, buf: make([]byte, xferBufSize), kinds: &kinds}
		w.m.r = r
		if e.cfg.Verify {
			w.m.h = sha256.New()
		}
		return w
	})
	res := r.result("mirror", "mirror: "+strconv.Itoa(n)+" clients (RETR mix, LIST, CWD, SIZE, MDTM)", n, "ops")
	res.Headline = "rate"
	for i, name := range []string{"retr", "list", "cwd", "size", "mdtm"} {
		res.add("issued_"+name, float64(kinds[i].n.Load()), "count", "")
	}
	return res, nil
}
