// split_test.go: lines split across reads at every boundary come out the same (nats style).

package proto

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// lineReader is the smallest caller of NextLine: an accumulator that keeps the unconsumed
// tail, as the reactor keeps unread bytes in its inbound buffer.
type lineReader struct {
	acc  []byte
	cmds []string
	err  error
}

func (r *lineReader) feed(chunk []byte) {
	r.acc = append(r.acc, chunk...)
	for r.err == nil {
		line, n, err := NextLine(r.acc)
		if err != nil {
			r.err = err
			return
		}
		if n == 0 {
			return
		}
		c := Parse(line)
		r.cmds = append(r.cmds, fmt.Sprintf("%v|%s|%s", c.Verb, c.Name, c.Arg))
		r.acc = r.acc[:copy(r.acc, r.acc[n:])]
	}
}

var pipelines = []string{
	"USER a\r\nPASS b\r\nRETR x\r\n",
	"USER anonymous\r\nPASS \r\nOPTS UTF8 ON\nTYPE I\r\n\xff\xf4\xff\xf2ABOR\r\nSTOR a\xff\xffb\r\n\r\nQUIT\r\n",
	"EPSV\r\nLIST -la\r\nRNFR a\x00b\r\nRNTO c\rd\r\nxyzzy 1\n",
}

func parseAll(t *testing.T, chunks ...[]byte) []string {
	t.Helper()
	var r lineReader
	for _, c := range chunks {
		r.feed(c)
	}
	if r.err != nil {
		t.Fatalf("unexpected error %v", r.err)
	}
	if len(r.acc) != 0 {
		t.Fatalf("left over %q", r.acc)
	}
	return r.cmds
}

func TestSplitEveryBoundary(t *testing.T) {
	for _, p := range pipelines {
		buf := []byte(p)
		want := parseAll(t, buf)
		if n := strings.Count(p, "\n"); len(want) != n {
			t.Fatalf("%q: %d commands, want %d", p, len(want), n)
		}
		for i := 0; i <= len(buf); i++ {
			for j := i; j <= len(buf); j++ {
				got := parseAll(t, buf[:i], buf[i:j], buf[j:])
				if strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Fatalf("%q cut at %d,%d: got %q, want %q", p, i, j, got, want)
				}
			}
		}
		var bytewise [][]byte
		for i := range buf {
			bytewise = append(bytewise, buf[i:i+1])
		}
		if got := parseAll(t, bytewise...); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("%q one byte at a time: got %q, want %q", p, got, want)
		}
	}
	if got := parseAll(t, []byte(pipelines[0])); strings.Join(got, ",") != "USER|USER|a,PASS|PASS|b,RETR|RETR|x" {
		t.Fatalf("pipeline 0 parsed as %q", got)
	}
}

func TestSplitLongLine(t *testing.T) {
	// A line over the limit is refused once MaxLine bytes are in, however it arrives, and
	// the complete lines before it are still delivered.
	buf := []byte("NOOP\r\nRETR " + strings.Repeat("a", 2*MaxLine) + "\r\n")
	for _, step := range []int{1, 7, 1000, MaxLine, len(buf)} {
		var r lineReader
		for i := 0; i < len(buf) && r.err == nil; i += step {
			r.feed(buf[i:min(i+step, len(buf))])
		}
		if !errors.Is(r.err, ErrLineTooLong) || len(r.cmds) != 1 || len(r.acc) > MaxLine+step {
			t.Fatalf("step %d: err %v, %d commands, %d bytes buffered", step, r.err, len(r.cmds), len(r.acc))
		}
	}
}
