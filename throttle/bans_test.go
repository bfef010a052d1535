// bans_test.go: failure counting, windows, ban expiry, Succeed, memory cap, sources.

package throttle

import (
	"net/netip"
	"sync"
	"testing"
	"time"
)

var ipA, ipB = netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")

func TestBansWithinWindow(t *testing.T) {
	b := NewBans(3, time.Minute, 10*time.Minute)
	if b.Fail(ipA, at(0)) || b.Fail(ipA, at(30*time.Second)) {
		t.Fatal("banned before the third failure")
	}
	if b.Fail(ipB, at(31*time.Second)) {
		t.Fatal("another address's failure counted against it")
	}
	if _, banned := b.Banned(ipA, at(59*time.Second)); banned {
		t.Fatal("Banned before the third failure")
	}
	if !b.Fail(ipA, at(59*time.Second)) {
		t.Fatal("third failure within the window did not ban")
	}
	until, banned := b.Banned(ipA, at(60*time.Second))
	if !banned || !until.Equal(at(59*time.Second+10*time.Minute)) {
		t.Fatalf("Banned = %v, %v; want until %v", until, banned, at(59*time.Second+10*time.Minute))
	}
	if _, banned := b.Banned(ipB, at(60*time.Second)); banned {
		t.Fatal("the other address is banned too")
	}
	// Failures while banned neither count nor extend the ban.
	if !b.Fail(ipA, at(5*time.Minute)) {
		t.Fatal("Fail while banned reported not banned")
	}
	if until, _ := b.Banned(ipA, at(5*time.Minute)); !until.Equal(at(59*time.Second + 10*time.Minute)) {
		t.Fatalf("ban extended to %v", until)
	}
	// Expiry: free again, and counting starts from zero.
	if _, banned := b.Banned(ipA, at(59*time.Second+10*time.Minute)); banned {
		t.Fatal("still banned at the end of the ban")
	}
	first := b.Fail(ipA, at(11*time.Minute))
	second := b.Fail(ipA, at(11*time.Minute))
	if first || second {
		t.Fatal("count carried over the ban")
	}
	if !b.Fail(ipA, at(11*time.Minute)) {
		t.Fatal("a fresh count of 3 did not ban")
	}
}

func TestBansOutsideWindow(t *testing.T) {
	b := NewBans(3, time.Minute, time.Hour)
	// A banned source at the old end of the table stops pruning, so ipA's count must be
	// reset by the window rule itself, not by its entry being pruned.
	b.Fail(ipB, at(0))
	b.Fail(ipB, at(0))
	b.Fail(ipB, at(0))
	for i := range 10 {
		// Two failures per window, windows apart: never three within one.
		base := time.Duration(i) * 61 * time.Second
		if b.Fail(ipA, at(base)) || b.Fail(ipA, at(base+59*time.Second)) {
			t.Fatalf("window %d: banned with two failures per window", i)
		}
	}
	if _, banned := b.Banned(ipA, at(11*time.Minute)); banned {
		t.Fatal("banned by failures spread over many windows")
	}
	if b.Len() != 2 {
		t.Fatalf("tracking %d sources, want 2", b.Len())
	}
}

func TestBansSucceedResets(t *testing.T) {
	b := NewBans(3, time.Minute, time.Hour)
	b.Fail(ipA, at(0))
	b.Fail(ipA, at(1))
	b.Succeed(ipA)
	if b.Len() != 0 {
		t.Fatalf("Succeed left %d entries", b.Len())
	}
	if b.Fail(ipA, at(2)) || b.Fail(ipA, at(3)) {
		t.Fatal("count survived Succeed")
	}
	if !b.Fail(ipA, at(4)) {
		t.Fatal("no ban after three fresh failures")
	}
	b.Succeed(ipA) // does not lift a ban
	if _, banned := b.Banned(ipA, at(5)); !banned {
		t.Fatal("Succeed lifted a ban")
	}
	b.Succeed(ipB) // unknown: no effect
}

func TestBansDefaults(t *testing.T) {
	b := NewBans(0, 0, 0)
	for i := range DefaultBanMax - 1 {
		if b.Fail(ipA, at(time.Duration(i)*time.Second)) {
			t.Fatalf("banned after %d failures", i+1)
		}
	}
	if !b.Fail(ipA, at(DefaultBanWindow-time.Second)) {
		t.Fatal("no ban after DefaultBanMax failures within DefaultBanWindow")
	}
	if until, _ := b.Banned(ipA, at(DefaultBanWindow)); !until.Equal(at(DefaultBanWindow - time.Second + DefaultBanDuration)) {
		t.Fatalf("ban until %v, want DefaultBanDuration after the last failure", until)
	}
}

func TestBansMemoryCap(t *testing.T) {
	b := NewBans(2, time.Minute, time.Hour)
	b.capacity = 1000
	ip := func(i int) netip.Addr { return netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}) }
	b.Fail(ip(0), at(0))
	b.Fail(ip(0), at(0)) // banned, and the oldest entry
	for i := 1; i < 5000; i++ {
		b.Fail(ip(i), at(time.Second))
		if b.Len() > 1000 {
			t.Fatalf("tracking %d sources, cap 1000", b.Len())
		}
	}
	if _, banned := b.Banned(ip(0), at(2*time.Second)); banned {
		t.Fatal("the least recent source was not the one evicted")
	}
	if _, banned := b.Banned(ip(4999), at(2*time.Second)); banned {
		t.Fatal("one failure banned")
	}
	if !b.Fail(ip(4999), at(2*time.Second)) {
		t.Fatal("the most recent source lost its count")
	}
	// Expired entries are pruned as calls arrive, even below the cap.
	for i := range 1000 {
		b.Banned(ipB, at(2*time.Hour+time.Duration(i)))
	}
	if b.Len() != 0 {
		t.Fatalf("%d expired entries left after pruning", b.Len())
	}
}

func TestBansSources(t *testing.T) {
	b := NewBans(2, time.Minute, time.Hour)
	b.Fail(netip.MustParseAddr("198.51.100.7"), at(0))
	if !b.Fail(netip.MustParseAddr("::ffff:198.51.100.7"), at(0)) {
		t.Error("an IPv4-mapped address is not the same source as the IPv4 address")
	}
	b.Fail(netip.MustParseAddr("2001:db8:1:2:aaaa::1"), at(0))
	if !b.Fail(netip.MustParseAddr("2001:db8:1:2:bbbb::2%eth0"), at(0)) {
		t.Error("two addresses in one IPv6 /64 are not the same source")
	}
	if b.Fail(netip.MustParseAddr("2001:db8:1:3::1"), at(0)) {
		t.Error("another /64 shares the count")
	}
}

func TestBansConcurrent(t *testing.T) {
	b := NewBans(5, time.Minute, time.Hour)
	b.capacity = 64
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2000 {
				ip := netip.AddrFrom4([4]byte{10, 0, byte(g), byte(i % 100)})
				now := at(time.Duration(i) * time.Millisecond)
				switch i % 3 {
				case 0:
					b.Fail(ip, now)
				case 1:
					b.Banned(ip, now)
				default:
					b.Succeed(ip)
				}
			}
		}()
	}
	wg.Wait()
	if n := b.Len(); n > 64 {
		t.Fatalf("tracking %d sources, cap 64", n)
	}
	// The recency list and the index must agree after all that.
	seen := 0
	for i := b.head; i >= 0; i = b.entries[i].next {
		if j, ok := b.index[b.entries[i].src]; !ok || j != i {
			t.Fatalf("list entry %d not indexed", i)
		}
		seen++
	}
	if seen != b.Len() {
		t.Fatalf("list holds %d entries, index %d", seen, b.Len())
	}
}
