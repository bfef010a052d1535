//go:build unix

package shm

import (
	"bufio"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/fastftp/fastftp/throttle"
)

func newTable(t testing.TB, workers int) (*Table, *os.File) {
	t.Helper()
	tb, f, err := Create(workers)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tb.Close(); f.Close() })
	return tb, f
}

func view(t testing.TB, f *os.File, w int) *Table {
	t.Helper()
	v, err := Open(f, w)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}

func ip(i int) netip.Addr { return netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}) }

func TestConnsLimitsAcrossViews(t *testing.T) {
	sup, f := newTable(t, 2)
	a, b := view(t, f, 0).Conns(3, 2), view(t, f, 1).Conns(3, 2)
	must := func(c *Conns, addr netip.Addr, want error) {
		t.Helper()
		if err := c.Acquire(addr); !errors.Is(err, want) && !(want == nil && err == nil) {
			t.Fatalf("Acquire(%v) = %v, want %v", addr, err, want)
		}
	}
	must(a, ip(1), nil)
	must(b, ip(1), nil)
	must(a, ip(1), throttle.ErrTooManyFromIP) // 2 from ip(1), counted by two workers
	// An IPv6 address counts for its /64.
	must(b, netip.MustParseAddr("2001:db8::1"), nil)
	must(a, ip(2), throttle.ErrTooManyConns) // 3 in total
	if n := sup.Live(); n != 3 {
		t.Fatalf("Live = %d, want 3", n)
	}
	b.Release(ip(1))
	b.Release(ip(1)) // not acquired any more by b: ignored
	if n := a.CountFrom(ip(1)); n != 1 {
		t.Fatalf("CountFrom = %d, want 1", n)
	}
	must(a, ip(2), nil)
	// A dead worker's counts go at once.
	sup.ResetWorker(0)
	if n, m := sup.Live(), a.CountFrom(ip(1)); n != 1 || m != 0 {
		t.Fatalf("after ResetWorker(0): Live %d, from ip(1) %d; want 1 and 0", n, m)
	}
	b.Release(netip.MustParseAddr("2001:db8::2"))
	if n := sup.Live(); n != 0 || *sup.i32(offSrcUsed) != 0 {
		t.Fatalf("Live %d, sources %d after releasing all; want 0", n, *sup.i32(offSrcUsed))
	}
}

// TestSourcesFull: past 3/4 of SourceCap a new source is refused as "too many
// connections"; known sources still count; space comes back as sources leave.
func TestSourcesFull(t *testing.T) {
	_, f := newTable(t, 1)
	c := view(t, f, 0).Conns(0, 0)
	limit := SourceCap * 3 / 4
	for i := range limit {
		if err := c.Acquire(ip(i)); err != nil {
			t.Fatalf("source %d: %v", i, err)
		}
	}
	if err := c.Acquire(ip(limit)); !errors.Is(err, throttle.ErrTooManyConns) {
		t.Fatalf("new source in a full table: %v, want ErrTooManyConns", err)
	}
	if err := c.Acquire(ip(7)); err != nil {
		t.Fatalf("known source in a full table: %v", err)
	}
	// Every entry must stay reachable through deletions (backward shift).
	for i := 0; i < limit; i += 2 {
		c.Release(ip(i))
	}
	for i := 1; i < limit; i += 2 {
		want := 1
		if i == 7 {
			want = 2
		}
		if n := c.CountFrom(ip(i)); n != want {
			t.Fatalf("source %d counts %d after deleting its neighbours, want %d", i, n, want)
		}
	}
	if err := c.Acquire(ip(limit)); err != nil {
		t.Fatalf("after releases: %v", err)
	}
}

func TestBans(t *testing.T) {
	_, f := newTable(t, 2)
	a := view(t, f, 0).Bans(3, time.Minute, 10*time.Minute, nil)
	b := view(t, f, 1).Bans(3, time.Minute, 10*time.Minute, nil)
	now := time.Unix(1_800_000_000, 0)
	x := ip(9)
	if a.Fail(x, now) || b.Fail(x, now.Add(time.Second)) {
		t.Fatal("banned before 3 failures")
	}
	a.Succeed(ip(10)) // unknown: no effect
	if !b.Fail(x, now.Add(2*time.Second)) {
		t.Fatal("3 failures over two workers did not ban")
	}
	until, ok := a.Banned(x, now.Add(time.Minute))
	if !ok || !until.Equal(now.Add(2*time.Second+10*time.Minute)) {
		t.Fatalf("Banned = %v %v", until, ok)
	}
	a.Succeed(x) // does not lift the ban
	if _, ok := b.Banned(x, now.Add(5*time.Minute)); !ok {
		t.Fatal("Succeed lifted a ban")
	}
	if _, ok := b.Banned(x, now.Add(11*time.Minute)); ok || a.Len() != 0 {
		t.Fatalf("ban did not expire (tracked %d)", a.Len())
	}
	// A window that passes starts a new count.
	y := ip(11)
	a.Fail(y, now)
	a.Fail(y, now.Add(time.Second))
	if a.Fail(y, now.Add(2*time.Minute)) {
		t.Fatal("failures outside the window banned")
	}
}

// TestBansFull: a full table first drops expired entries; if all are live, a new source's
// failure is not counted and the drop is reported.
func TestBansFull(t *testing.T) {
	_, f := newTable(t, 1)
	drops := 0
	b := view(t, f, 0).Bans(2, time.Minute, time.Hour, func() { drops++ })
	now := time.Unix(1_800_000_000, 0)
	limit := BanCap * 3 / 4
	for i := range limit {
		b.Fail(ip(i), now)
	}
	if b.Fail(ip(limit), now) || drops != 1 {
		t.Fatalf("full table: drops %d, want 1", drops)
	}
	if !b.Fail(ip(5), now) {
		t.Fatal("a tracked source did not get banned in a full table")
	}
	// After the window every entry but the banned one has expired: room again.
	later := now.Add(2 * time.Minute)
	b.Fail(ip(limit), later)
	if !b.Fail(ip(limit), later) || drops != 1 || b.Len() != 2 {
		t.Fatalf("after pruning: drops %d, tracked %d; want 1 and 2", drops, b.Len())
	}
	if _, ok := b.Banned(ip(5), later); !ok {
		t.Fatal("prune lost a ban")
	}
}

func TestUsers(t *testing.T) {
	sup, f := newTable(t, 2)
	a, b := view(t, f, 0).Users(), view(t, f, 1).Users()
	if !a.Join("alice", 2) || !b.Join("alice", 2) || b.Join("alice", 2) {
		t.Fatal("max 2 sessions of alice across two workers not held")
	}
	if !a.Join("bob", 0) || a.Sessions("alice") != 2 {
		t.Fatal("bob refused, or alice miscounted")
	}
	sup.ResetWorker(1)
	if a.Sessions("alice") != 1 || !a.Join("alice", 2) {
		t.Fatal("ResetWorker did not drop worker 1's session")
	}
	// Both workers' buckets draw from one word: 1 MB/s with a 100 KB burst.
	ra, _ := a.Buckets("alice", 1e6, 0)
	rb, _ := b.Buckets("alice", 1e6, 0)
	now := time.Now()
	if _, wait := ra.Reserve(now, 100_000); wait != 0 {
		t.Fatalf("first 100 KB waited %v", wait)
	}
	if _, wait := rb.Reserve(now, 100_000); wait < 90*time.Millisecond {
		t.Fatalf("worker 1 took alice's tokens again without waiting (%v): buckets not shared", wait)
	}
}

// TestUsersFull: UserCap users with sessions fill the table; the next new user is refused;
// a user who left frees an entry, reused in place.
func TestUsersFull(t *testing.T) {
	_, f := newTable(t, 1)
	u := view(t, f, 0).Users()
	for i := range UserCap {
		if !u.Join("user"+strconv.Itoa(i), 0) {
			t.Fatalf("user %d refused", i)
		}
	}
	if u.Join("one-too-many", 0) {
		t.Fatal("a full table took another user")
	}
	if !u.Join("user5", 0) {
		t.Fatal("a known user was refused in a full table")
	}
	u.Leave("user9")
	if !u.Join("one-too-many", 0) || u.Sessions("user9") != 0 || u.Sessions("user5") != 2 {
		t.Fatal("a freed entry was not reused")
	}
}

func TestOpenRefusesWrongFiles(t *testing.T) {
	_, f := newTable(t, 2)
	if _, err := Open(f, 2); err == nil {
		t.Fatal("worker 2 of 2 accepted")
	}
	tmp, _ := os.CreateTemp(t.TempDir(), "x")
	tmp.Truncate(1 << 20)
	defer tmp.Close()
	if _, err := Open(tmp, 0); err == nil {
		t.Fatal("a zero file accepted as a table")
	}
	if _, _, err := Create(MaxWorkers + 1); err == nil {
		t.Fatal("too many workers accepted")
	}
}

// The multi-process test: this test binary re-executed as several workers.
const childEnv = "SHM_TEST_CHILD"

func TestMain(m *testing.M) {
	if v := os.Getenv(childEnv); v != "" {
		os.Exit(child(v))
	}
	os.Exit(m.Run())
}

// child runs one worker of TestAcrossProcesses: mode "storm" acquires as many of the
// shared total as it can (never releasing); mode "churn" acquires and releases, joins
// and leaves, many times from a few sources.
func child(spec string) int {
	var mode string
	var w, n int
	fmt.Sscanf(spec, "%s %d %d", &mode, &w, &n)
	tb, err := Open(os.NewFile(3, "table"), w)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	c := tb.Conns(n, 0)
	switch mode {
	case "hold": // take the lock and never give it back (killed by the test)
		tb.lock()
		fmt.Println("locked")
		time.Sleep(time.Minute)
	case "storm":
		got := 0
		for i := range 5000 {
			if c.Acquire(ip(i)) == nil {
				got++
			}
		}
		fmt.Println(got)
	case "churn":
		u := tb.Users()
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range n {
					a := ip((i + g) % 7)
					if c.Acquire(a) == nil {
						c.Release(a)
					}
					if u.Join("u", 0) {
						u.Leave("u")
					}
				}
			}()
		}
		wg.Wait()
	}
	return 0
}

func spawn(t *testing.T, f *os.File, spec string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+spec)
	cmd.ExtraFiles = []*os.File{f}
	cmd.Stderr = os.Stderr
	return cmd
}

func TestAcrossProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	const workers = 4
	sup, f := newTable(t, workers)
	// Storm: four processes race for 1,000 slots of the total; exactly 1,000 are granted.
	outs := make([][]byte, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := spawn(t, f, fmt.Sprintf("storm %d 1000", w)).Output()
			if err != nil {
				t.Errorf("worker %d: %v", w, err)
			}
			outs[w] = out
		}()
	}
	wg.Wait()
	sum := 0
	for _, o := range outs {
		n, _ := strconv.Atoi(string(o[:len(o)-min(len(o), 1)]))
		sum += n
	}
	if sum != 1000 || sup.Live() != 1000 {
		t.Fatalf("granted %d (table counts %d) across %d processes, want exactly 1000", sum, sup.Live(), workers)
	}
	for w := range workers {
		sup.ResetWorker(w) // as the supervisor does when a worker exits
	}
	if sup.Live() != 0 || *sup.i32(offSrcUsed) != 0 {
		t.Fatalf("after resetting every worker: %d live, %d sources", sup.Live(), *sup.i32(offSrcUsed))
	}
	// Churn: balanced acquire/release and join/leave from four processes of four goroutines
	// each leave every count at zero (a lost update under the shared lock would not).
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := spawn(t, f, fmt.Sprintf("churn %d 20000", w)).Run(); err != nil {
				t.Errorf("worker %d: %v", w, err)
			}
		}()
	}
	wg.Wait()
	if n, s, u := sup.Live(), *sup.i32(offSrcUsed), sup.Users().Sessions("u"); n != 0 || s != 0 || u != 0 {
		t.Fatalf("after churn: %d live, %d sources, %d sessions of u; want 0", n, s, u)
	}
}

// BenchmarkAcquireRelease: one connection's admission and release, shared table against
// the in-process throttle.Counter (the twin).
func BenchmarkAcquireRelease(b *testing.B) {
	_, f := newTable(b, 3)
	for _, c := range []struct {
		name string
		c    throttle.ConnCounter
	}{{"shm", view(b, f, 0).Conns(100000, 100)}, {"counter", throttle.NewCounter(100000, 100)}} {
		b.Run("impl="+c.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				a := ip(i & 1023)
				if err := c.c.Acquire(a); err != nil {
					b.Fatal(err)
				}
				c.c.Release(a)
			}
		})
	}
}

// TestLockOfKilledHolder: a worker killed while it holds the table's lock does not wedge
// the others: the lock names its holder's pid and is taken over once that is gone.
func TestLockOfKilledHolder(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process")
	}
	sup, f := newTable(t, 2)
	cmd := spawn(t, f, "hold 1 0")
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if line, _ := bufio.NewReader(out).ReadString('\n'); line != "locked\n" {
		t.Fatalf("child: %q", line)
	}
	c := view(t, f, 0).Conns(0, 0)
	done := make(chan error, 1)
	go func() { done <- c.Acquire(ip(1)) }()
	select {
	case <-done:
		t.Fatal("Acquire went through a held lock")
	case <-time.After(100 * time.Millisecond):
	}
	cmd.Process.Kill()
	cmd.Wait() // reaped, as the supervisor does: a zombie still counts as alive
	select {
	case err := <-done:
		if err != nil || sup.Live() != 1 {
			t.Fatalf("after the holder died: %v, live %d", err, sup.Live())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the lock of a dead holder was never taken over")
	}
}

func TestBusiest(t *testing.T) {
	sup, f := newTable(t, 3)
	v := [3]*Table{view(t, f, 0), view(t, f, 1), view(t, f, 2)}
	c := [3]*Conns{v[0].Conns(0, 0), v[1].Conns(0, 0), v[2].Conns(0, 0)}
	add := func(w, n int) {
		for i := range n {
			if err := c[w].Acquire(ip(w<<12 | i)); err != nil {
				t.Fatal(err)
			}
		}
	}
	add(0, 100)
	add(1, 90)
	if v[0].Busiest() || v[1].Busiest() || sup.Busiest() {
		t.Fatal("busiest within the slack of 16")
	}
	add(0, 1000)
	add(1, 1000)
	add(2, 1000)
	add(0, 69) // 1169 against 1090: more than 1169/16 = 73 ahead of the next
	if !v[0].Busiest() || v[1].Busiest() || v[2].Busiest() {
		t.Fatalf("worker 0 at %d, others %d and %d: want only worker 0 busiest", v[0].live(0).Load(), v[1].live(1).Load(), v[2].live(2).Load())
	}
	sup.ResetWorker(1) // a dead worker does not make the busiest of the living hold back less
	if !v[0].Busiest() {
		t.Fatal("worker 0 not busiest after worker 1 died")
	}
}
