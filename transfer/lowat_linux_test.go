//go:build linux

package transfer

import (
	"context"
	"crypto/tls"
	"net"
	"testing"

	"github.com/fastftp/fastftp/datapath"
	"github.com/fastftp/fastftp/sendfile"
	"golang.org/x/sys/unix"
)

// TestSendLowat: which TCP_NOTSENT_LOWAT a RETR's socket gets, and that connect sets it
// on the accepted socket. The operator's value wins everywhere; without one, only a
// download the data loops will carry gets the engine's value: TLS, TYPE A, MODE Z and the
// goroutine path keep the kernel's default.
func TestSendLowat(t *testing.T) {
	eng, err := NewEngine(EngineConfig{Loops: 1, NotSentLowat: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(eng.Close)
	tlsWrap := func(context.Context, net.Conn) (net.Conn, error) { return nil, tls.AlertError(0) }
	for _, c := range []struct {
		name     string
		operator int
		engine   *Engine
		change   func(d *Data)
		want     int
	}{
		{"engine default", 0, eng, nil, 64 << 10},
		{"operator value", 128 << 10, eng, nil, 128 << 10},
		{"operator value, goroutine path", 128 << 10, nil, nil, 128 << 10},
		{"no engine", 0, nil, nil, 0},
		{"TLS", 0, eng, func(d *Data) { d.TLS = tlsWrap }, 0},
		{"TYPE A", 0, eng, func(d *Data) { d.Copy.ASCII = true }, 0},
		{"MODE Z", 0, eng, func(d *Data) { d.Deflate = 7 }, 0},
		{"sendfile disabled", 0, eng, func(d *Data) { d.Copy.Disable = true }, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, addr := passive(t, &sendfile.Options{}, 0)
			d.Config = &datapath.Config{NotSentLowat: c.operator}
			d.Engine = c.engine
			if c.change != nil {
				c.change(d)
			}
			if got := d.sendLowat(); got != c.want {
				t.Fatalf("sendLowat() = %d, want %d", got, c.want)
			}
			if c.want == 0 {
				return
			}
			d.TLS = nil
			wait := client(t, addr, func(net.Conn) []byte { return nil })
			conn, err := d.connect(context.Background(), c.want)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			rc, err := conn.(*net.TCPConn).SyscallConn()
			if err != nil {
				t.Fatal(err)
			}
			var got int
			var gerr error
			rc.Control(func(fd uintptr) { got, gerr = unix.GetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_NOTSENT_LOWAT) })
			if gerr != nil || got != c.want {
				t.Errorf("the accepted socket's TCP_NOTSENT_LOWAT: %d (%v), want %d", got, gerr, c.want)
			}
			wait()
		})
	}
}
