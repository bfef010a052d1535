//go:build !race

// alloc_test.go: the hot-path methods must not allocate (the race detector allocates, so
// this gate is skipped under -race).
package metrics

import (
	"testing"
	"time"

	"github.com/fastftp/fastftp/proto"
	"github.com/fastftp/fastftp/reactor"
)

func TestHotPathAllocs(t *testing.T) {
	m := New()
	m.Command(proto.STOR, time.Millisecond) // first use of a verb resolves its series
	cases := []struct {
		name string
		fn   func()
	}{
		{"SessionOpened", m.SessionOpened},
		{"SessionClosed", func() { m.SessionClosed(reactor.ReasonIdleTimeout) }},
		{"Login", func() { m.Login(true); m.Login(false) }},
		{"Transfer", func() { m.Transfer(true, 4096, true); m.Transfer(false, 1, false) }},
		{"Reply", func() { m.Reply(226); m.Reply(550); m.Reply(999) }},
		{"Command", func() { m.Command(proto.STOR, 123*time.Microsecond) }},
		{"ThrottleWait", func() { m.ThrottleWait(true, time.Millisecond) }},
	}
	for _, c := range cases {
		if n := testing.AllocsPerRun(1000, c.fn); n != 0 {
			t.Errorf("%s: %v allocs per call, want 0", c.name, n)
		}
	}
}
