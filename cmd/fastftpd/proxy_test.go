package main

import (
	"flag"
	"io"
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

// TestProxyProtocolFromFlag: --proxy-protocol-from takes addresses and CIDRs, reaches the
// server's Config, and a bad entry is named in the error.
func TestProxyProtocolFromFlag(t *testing.T) {
	parse := func(args ...string) (*settings, error) {
		var o options
		fs := flagSet(&o, io.Discard)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		o.set = map[string]bool{}
		fs.Visit(func(f *flag.Flag) { o.set[f.Name] = true })
		return build(&o, nil)
	}
	st, err := parse("--proxy-protocol-from", "127.0.0.1, 10.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("10.0.0.0/8")}
	if !reflect.DeepEqual(st.cfg.ProxyProtocolFrom, want) {
		t.Errorf("ProxyProtocolFrom = %v, want %v", st.cfg.ProxyProtocolFrom, want)
	}
	if st, err := parse(); err != nil || len(st.cfg.ProxyProtocolFrom) != 0 {
		t.Errorf("without the flag: %v %v, want PROXY protocol off", st.cfg.ProxyProtocolFrom, err)
	}
	if _, err := parse("--proxy-protocol-from", "10.0.0.0/8,balancer.example"); err == nil ||
		!strings.Contains(err.Error(), "--proxy-protocol-from") || !strings.Contains(err.Error(), "balancer.example") {
		t.Errorf("bad entry: %v", err)
	}
}
