// bench_test.go: the cost of one hot-path call, resolved series against the naive label
// lookup per call it replaces.
package metrics

import (
	"io"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/fastftp/fastftp/proto"
)

func BenchmarkReply(b *testing.B) {
	m := New()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		m.Reply(200 + i&1*330)
	}
}

func BenchmarkTransfer(b *testing.B) {
	m := New()
	b.ReportAllocs()
	for b.Loop() {
		m.Transfer(true, 65536, true)
	}
}

func BenchmarkCommand(b *testing.B) {
	m := New()
	b.ReportAllocs()
	for b.Loop() {
		m.Command(proto.RETR, 150*time.Microsecond)
	}
}

// BenchmarkCommandNaive is the twin of BenchmarkCommand that resolves the label on every
// call, as code using HistogramVec directly would.
func BenchmarkCommandNaive(b *testing.B) {
	m := New()
	b.ReportAllocs()
	for b.Loop() {
		m.cmdVec.WithLabelValues(proto.RETR.String()).Observe(150e-6)
	}
}

func BenchmarkCommandParallel(b *testing.B) {
	m := New()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.Command(proto.RETR, 150*time.Microsecond)
		}
	})
}

// BenchmarkScrape measures one full text exposition with every command series present.
func BenchmarkScrape(b *testing.B) {
	m := New()
	for v := proto.Verb(0); v < proto.NumVerbs; v++ {
		m.Command(v, time.Millisecond)
	}
	h := m.Handler()
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
		io.Discard.Write(w.Body.Bytes())
	}
}
