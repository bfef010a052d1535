// Package shm keeps the limits that must stay global when several fastftpd processes serve
// one host (fastftpd --workers): live connections in total and per source, logged-in
// sessions per user, failed-login bans, and the words of the global and per-user
// bandwidth buckets. It all lives in one small MAP_SHARED mapping that the supervisor
// creates (a memfd on Linux, an unlinked file elsewhere) and every worker inherits.
//
// Counts are kept per worker (a column per worker index in each table), so that when a
// worker dies, whatever it had counted is dropped at once (ResetWorker) instead of
// leaking slots until a restart of the whole server. Every table is a fixed-size
// open-addressing hash table with linear probing; what happens when one is full is stated
// on each type. One process-shared spin lock (holding the holder's pid, so that a lock
// left by a killed worker is taken over) guards the tables; bucket words are lock-free
// (throttle.NewSharedBucket).
//
// Table methods and the views it returns are safe from any goroutine of any process that
// maps the table.
package shm

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"runtime"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/fastftp/fastftp/throttle"
)

// MaxWorkers is the most processes a table counts for (its columns).
const MaxWorkers = 64

// Table capacities. Entries are small, and pages of the mapping that are never touched
// cost nothing, so they are generous.
const (
	// SourceCap is the most source addresses (throttle.Source) with live connections
	// tracked at once; the table is held at most 3/4 full.
	SourceCap = 1 << 16
	// BanCap is the most sources with failures or bans tracked at once (3/4 full at most).
	BanCap = 1 << 15
	// UserCap is the most user names with logged-in sessions at once.
	UserCap = 1 << 12
)

const (
	magic = 0x66746670_73686d31 // "ftfpshm1"

	// header layout
	offMagic   = 0
	offLock    = 8  // uint32: pid of the holder, 0 when free
	offWorkers = 12 // uint32
	offBase    = 16 // int64: unix nanoseconds, origin of bucket instants
	offGRead   = 24 // int64: global read bucket word
	offGWrite  = 32 // int64: global write bucket word
	offSrcUsed = 40 // int32: used entries of the source table
	offBanUsed = 44 // int32: used entries of the ban table
	offUsrUsed = 48 // int32: used entries of the user table
	offConns   = 64 // [MaxWorkers]int32: live connections per worker
	hdrSize    = 4096

	// Every entry starts with its key [16]byte and a uint32 state (table.go).
	// source entry: counts [workers]int32
	srcCounts = 20
	// ban entry: fails int32, first int64, until int64
	banFails, banFirst, banUntil, banEntry = 20, 24, 32, 40
	// user entry: pad, read int64, write int64, sessions [workers]int32
	userRead, userWrite, userSessions = 24, 32, 40
)

// ErrUnsupported is returned where shared mappings are not available (not a unix system).
var ErrUnsupported = errors.New("shm: shared memory tables need a unix system")

// Table is one mapping of the shared tables, as seen by one process (worker w, or the
// supervisor, which counts nothing itself).
type Table struct {
	mem           []byte
	n             int // workers
	w             int // this process's column
	pid           uint32
	src, ban, usr region
}

func align8(n int) int { return (n + 7) &^ 7 }

// Size is the mapping's size in bytes for the given number of workers.
func Size(workers int) int {
	return hdrSize + SourceCap*align8(srcCounts+4*workers) + BanCap*banEntry + UserCap*align8(userSessions+4*workers)
}

func layout(mem []byte, workers, w int) *Table {
	t := &Table{mem: mem, n: workers, w: w, pid: uint32(os.Getpid())}
	t.src = region{off: hdrSize, size: align8(srcCounts + 4*workers), cap: SourceCap, used: offSrcUsed}
	t.ban = region{off: t.src.off + SourceCap*t.src.size, size: banEntry, cap: BanCap, used: offBanUsed}
	t.usr = region{off: t.ban.off + BanCap*banEntry, size: align8(userSessions + 4*workers), cap: UserCap, used: offUsrUsed}
	return t
}

// Create makes a new table for workers processes and returns it (mapped, as the
// supervisor's view) and the file to hand to the workers (exec.Cmd.ExtraFiles).
func Create(workers int) (*Table, *os.File, error) {
	if workers < 1 || workers > MaxWorkers {
		return nil, nil, fmt.Errorf("shm: %d workers: want 1 to %d", workers, MaxWorkers)
	}
	f, err := newFile(Size(workers))
	if err != nil {
		return nil, nil, err
	}
	mem, err := mmap(f, Size(workers))
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	t := layout(mem, workers, -1)
	t.u32(offWorkers).Store(uint32(workers))
	t.i64(offBase).Store(time.Now().UnixNano())
	t.i64(offGRead).Store(throttle.SharedEmpty)
	t.i64(offGWrite).Store(throttle.SharedEmpty)
	t.u64(offMagic).Store(magic)
	return t, f, nil
}

// Open maps the table in f (made by Create, inherited by a worker) as worker w's view.
// f may be closed afterwards.
func Open(f *os.File, w int) (*Table, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("shm: %w", err)
	}
	if fi.Size() < hdrSize {
		return nil, fmt.Errorf("shm: %s is %d bytes, too small for a table", f.Name(), fi.Size())
	}
	mem, err := mmap(f, int(fi.Size()))
	if err != nil {
		return nil, err
	}
	t := layout(mem, 0, w)
	n := int(t.u32(offWorkers).Load())
	if t.u64(offMagic).Load() != magic || n < 1 || n > MaxWorkers || Size(n) != len(mem) {
		munmap(mem)
		return nil, fmt.Errorf("shm: %s does not hold a limits table", f.Name())
	}
	if w < 0 || w >= n {
		munmap(mem)
		return nil, fmt.Errorf("shm: worker %d of a table for %d", w, n)
	}
	return layout(mem, n, w), nil
}

// Close unmaps the table. Views it returned must not be used afterwards.
func (t *Table) Close() error { return munmap(t.mem) }

// Workers is the number of worker columns.
func (t *Table) Workers() int { return t.n }

func (t *Table) ptr(off int) unsafe.Pointer { return unsafe.Pointer(&t.mem[off]) }
func (t *Table) u32(off int) *atomic.Uint32 { return (*atomic.Uint32)(t.ptr(off)) }
func (t *Table) u64(off int) *atomic.Uint64 { return (*atomic.Uint64)(t.ptr(off)) }
func (t *Table) i64(off int) *atomic.Int64  { return (*atomic.Int64)(t.ptr(off)) }
func (t *Table) i32(off int) *int32         { return (*int32)(t.ptr(off)) }
func (t *Table) key(off int) *[16]byte      { return (*[16]byte)(t.ptr(off)) }

// live is worker w's count of live connections: atomic, because Busiest reads it
// without the lock.
func (t *Table) live(w int) *atomic.Int32 { return (*atomic.Int32)(t.ptr(offConns + 4*w)) }

// lock takes the process-shared lock. Critical sections are a few hash probes long, so it
// spins, then yields, then sleeps briefly; a holder that no longer exists (a worker killed
// inside a critical section) is detected by its pid and the lock taken over.
func (t *Table) lock() {
	l := t.u32(offLock)
	for i := 0; ; i++ {
		if l.CompareAndSwap(0, t.pid) {
			return
		}
		switch {
		case i < 100:
		case i < 200:
			runtime.Gosched()
		default:
			if i%100 == 0 {
				if h := l.Load(); h != 0 && !alive(h) {
					l.CompareAndSwap(h, 0)
				}
			}
			time.Sleep(20 * time.Microsecond)
		}
	}
}

func (t *Table) unlock() { t.u32(offLock).Store(0) }

// ResetWorker drops everything worker w had counted: its connections, per-source counts
// and user sessions. The supervisor calls it when a worker exits, so a crash leaks no slot.
func (t *Table) ResetWorker(w int) {
	if w < 0 || w >= t.n {
		return
	}
	t.lock()
	defer t.unlock()
	t.live(w).Store(0)
	t.src.rebuild(t, func(e int) bool {
		*t.i32(e + srcCounts + 4*w) = 0
		return t.sourceCount(e) > 0
	})
	for i := range UserCap {
		if e := t.usr.entry(i); t.u32(e+entState).Load() != 0 {
			*t.i32(e + userSessions + 4*w) = 0
		}
	}
}

// Live reports the live connections counted by all workers.
func (t *Table) Live() int {
	t.lock()
	defer t.unlock()
	return t.totalLocked()
}

func (t *Table) totalLocked() int {
	n := 0
	for w := range t.n {
		n += int(t.live(w).Load())
	}
	return n
}

// GlobalBuckets returns buckets on the table's global read and write words, at the given
// rates (bytes/s, <= 0 unlimited); every process's buckets draw from the same tokens.
func (t *Table) GlobalBuckets(read, write float64) (r, w *throttle.Bucket) {
	base := t.i64(offBase).Load()
	return throttle.NewSharedBucket(read, 0, t.i64(offGRead), base),
		throttle.NewSharedBucket(write, 0, t.i64(offGWrite), base)
}

// addrKey is the 16-byte key and hash of ip's source (throttle.Source).
func addrKey(ip netip.Addr) ([16]byte, uint64) {
	k := throttle.Source(ip).As16()
	return k, hash16(&k)
}

// hash16 is FNV-1a over the key, inline so that it allocates nothing.
func hash16(k *[16]byte) uint64 {
	h := uint64(14695981039346656037)
	for _, b := range k {
		h ^= uint64(b)
		h *= 1099511628211
	}
	return h
}

// nameKey is a 128-bit digest of a user name (two FNV-1a 64 with different offset bases),
// computed without allocating: collisions are not a concern at UserCap names.
func nameKey(name string) ([16]byte, uint64) {
	h1, h2 := uint64(14695981039346656037), uint64(0x9ae16a3b2f90404f)
	for i := 0; i < len(name); i++ {
		h1 = (h1 ^ uint64(name[i])) * 1099511628211
		h2 = (h2 ^ uint64(name[i])) * 1099511628211
	}
	h2 ^= uint64(len(name))
	var k [16]byte
	for i := range 8 {
		k[i], k[8+i] = byte(h1>>(8*i)), byte(h2>>(8*i))
	}
	return k, hash16(&k)
}
