package session

import (
	"fmt"
	"net/netip"
	"testing"
	"time"
)

func TestTLSOwners(t *testing.T) {
	var o tlsOwners
	now := time.Now()
	ip, other := netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("127.0.0.2")
	a, b := []byte("stamp-a"), []byte("stamp-b")
	o.connect(a, ip, now)
	o.login(a, "alice")
	o.connect(b, ip, now)
	o.login(b, "bob")
	for _, tc := range []struct {
		id   []byte
		user string
		ip   netip.Addr
		want bool
	}{
		{a, "alice", ip, true},
		{a, "bob", ip, false},      // another user's ticket
		{a, "alice", other, false}, // another address
		{b, "bob", ip, true},
	} {
		if got := o.vouches(tc.id, tc.user, tc.ip); got != tc.want {
			t.Errorf("vouches(%s, %s, %s) = %v, want %v", tc.id, tc.user, tc.ip, got, tc.want)
		}
	}
	// A closed connection keeps vouching for its tickets during the retention only.
	o.closed(a, now.Add(-ownerRetention-time.Second))
	if o.vouches(a, "alice", ip) {
		t.Error("a stamp past its retention still vouches")
	}
	o.closed(b, now)
	if !o.vouches(b, "bob", ip) {
		t.Error("a stamp closed just now no longer vouches")
	}
}

func TestTLSOwnersWaitsForLogin(t *testing.T) {
	var o tlsOwners
	ip := netip.MustParseAddr("::1")
	id := []byte("sibling")
	go func() {
		time.Sleep(50 * time.Millisecond)
		o.connect(id, ip, time.Now()) // recorded only after the ticket was resumed
		time.Sleep(50 * time.Millisecond)
		o.login(id, "alice")
	}()
	if !o.vouches(id, "alice", ip) {
		t.Fatal("a sibling that logs in 100 ms later was not waited for")
	}
	// One that never logs in is refused once ownerWait has passed.
	never := []byte("never")
	o.connect(never, ip, time.Now())
	start := time.Now()
	if o.vouches(never, "alice", ip) {
		t.Fatal("a connection that never logged in vouched")
	}
	if d := time.Since(start); d < ownerWait {
		t.Errorf("refused after %v, before ownerWait %v", d, ownerWait)
	}
}

func TestTLSOwnersBounded(t *testing.T) {
	var o tlsOwners
	ip := netip.MustParseAddr("127.0.0.1")
	now := time.Now()
	for i := range maxOwners + 10 {
		id := []byte(fmt.Sprint(i))
		o.connect(id, ip, now)
		o.login(id, "u")
		o.closed(id, now)
	}
	if n := len(o.m); n > maxOwners {
		t.Errorf("%d entries, bound %d", n, maxOwners)
	}
}
