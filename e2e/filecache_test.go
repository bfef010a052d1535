// Open-file cache: a hot small file is served from a kept descriptor, and a file replaced
// by rename (as rsync updates a mirror) or written in place is served as it now is, never
// as a mix of versions, with curl and raw commands, sequentially and under concurrency.
package e2e

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// replaceByRename writes data beside name and renames it over name, as rsync does.
func replaceByRename(dir, name string, data []byte) error {
	tmp := filepath.Join(dir, "."+name+".tmp")
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, name))
}

func TestOpenFileCacheServesCurrentVersion(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	dir := filepath.Join(s.Root, "pub")
	v1 := bytes.Repeat([]byte("1"), 1024)
	mustWriteFile(t, filepath.Join(dir, "f"), string(v1))
	c := s.login(t)
	c.cmd("TYPE I", 200)

	for i := range 3 {
		if got := c.retr("RETR pub/f"); !bytes.Equal(got, v1) {
			t.Fatalf("RETR %d: %d bytes %.20q, want v1", i, len(got), got)
		}
	}
	if s.srv != nil {
		if st := s.srv.OpenFileCacheStats(); st.Hits < 2 || st.Idle < 1 {
			t.Fatalf("three RETRs of one file, cache counters %+v: want 2 hits", st)
		}
	}
	// REST on a kept descriptor starts where asked, not where the last RETR ended.
	c.cmd("REST 1000", 350)
	if got := c.retr("RETR pub/f"); !bytes.Equal(got, v1[1000:]) {
		t.Fatalf("REST 1000 + RETR: %d bytes, want 24", len(got))
	}

	// Replaced by rename, same size: the next RETR serves the new file.
	v2 := bytes.Repeat([]byte("2"), 1024)
	if err := replaceByRename(dir, "f", v2); err != nil {
		t.Fatal(err)
	}
	if got := c.retr("RETR pub/f"); !bytes.Equal(got, v2) {
		t.Fatalf("RETR after rename: %.20q..., want v2", got)
	}
	var out bytes.Buffer
	curl(t, &out, s.url("pub/f"))
	if !bytes.Equal(out.Bytes(), v2) {
		t.Fatalf("curl after rename: %.20q..., want v2", out.Bytes())
	}

	// Written in place, then truncated: served whole and current, never short or stale.
	v3 := bytes.Repeat([]byte("3"), 1024)
	if err := os.WriteFile(filepath.Join(dir, "f"), v3, 0o644); err != nil {
		t.Fatal(err)
	}
	if got := c.retr("RETR pub/f"); !bytes.Equal(got, v3) {
		t.Fatalf("RETR after in-place write: %.20q..., want v3", got)
	}
	if err := os.Truncate(filepath.Join(dir, "f"), 100); err != nil {
		t.Fatal(err)
	}
	if got := c.retr("RETR pub/f"); !bytes.Equal(got, v3[:100]) {
		t.Fatalf("RETR after truncate: %d bytes, want 100", len(got))
	}
	// Removed: 550, not the kept descriptor's bytes.
	if err := os.Remove(filepath.Join(dir, "f")); err != nil {
		t.Fatal(err)
	}
	dc := c.pasv()
	c.cmd("RETR pub/f", 550)
	dc.Close()

	// TYPE A reads a kept descriptor from the start too (the copy converts LF to CRLF).
	if s.srv != nil { // vsftpd sends TYPE A files unconverted
		mustWriteFile(t, filepath.Join(dir, "t.txt"), "one\ntwo\n")
		c.cmd("TYPE A", 200)
		for i := range 3 {
			if got := string(c.retr("RETR pub/t.txt")); got != "one\r\ntwo\r\n" {
				t.Fatalf("TYPE A RETR %d: %q", i, got)
			}
		}
	}
	c.cmd("QUIT", 221)
}

// Concurrent RETRs of one file while it is replaced by rename again and again: every
// download is one whole version (all its bytes the same letter), never a mix.
func TestOpenFileCacheRenameUnderLoad(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	dir := filepath.Join(s.Root, "pub")
	const size = 64 << 10
	mustWriteFile(t, filepath.Join(dir, "hot"), strings.Repeat("a", size))

	stop := make(chan struct{})
	var renames atomic.Int64
	var renameErr atomic.Value
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		deadline := time.Now().Add(30 * time.Second)
		for i := 0; i < 100000 && time.Now().Before(deadline); i++ {
			select {
			case <-stop:
				return
			default:
			}
			letter := byte('a' + i%26)
			if err := replaceByRename(dir, "hot", bytes.Repeat([]byte{letter}, size)); err != nil {
				renameErr.Store(err.Error())
				return
			}
			renames.Add(1)
			time.Sleep(2 * time.Millisecond)
		}
	}()
	t.Run("clients", func(t *testing.T) {
		for i := range 4 {
			t.Run(fmt.Sprint(i), func(t *testing.T) {
				t.Parallel()
				c := s.login(t)
				c.cmd("TYPE I", 200)
				for j := range 25 {
					got := c.retr("RETR pub/hot")
					if len(got) != size {
						t.Fatalf("RETR %d: %d bytes, want %d", j, len(got), size)
					}
					if n := bytes.Count(got, got[:1]); n != size {
						t.Fatalf("RETR %d: a mix of versions (%d of %d bytes are %q)", j, n, size, got[:1])
					}
				}
				c.cmd("QUIT", 221)
			})
		}
	})
	close(stop)
	wg.Wait()
	if e := renameErr.Load(); e != nil {
		t.Fatalf("renamer: %v", e)
	}
	if renames.Load() == 0 {
		t.Fatal("no rename happened during the downloads")
	}
}
