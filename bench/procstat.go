// Process cost sampling from /proc: CPU seconds and memory (RSS minus shared, as
// pyftpdlib's ftpbench reports) of a server process and all of its descendants, and the
// memory this process uses (its CPU: selfcpu_unix.go, selfcpu_windows.go). Systems
// without /proc (macOS, FreeBSD, Windows) cannot sample a server: --pid is refused there
// with the reason.

package bench

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"time"
)

// clockTick is USER_HZ, fixed at 100 on Linux for every architecture Go supports.
const clockTick = 10 * time.Millisecond

// ProcSample is one reading of a process tree.
type ProcSample struct {
	CPU   time.Duration // user+system of the tree, including reaped children (10 ms ticks)
	Mem   int64         // RSS minus shared pages, bytes, summed over the tree
	Procs int           // processes in the tree
	// Nanos is the time on CPU of every live thread of the tree, from
	// /proc/PID/task/TID/schedstat, in nanoseconds; NanosOK says it could be read. It
	// resolves short phases that ticks cannot, but forgets threads and processes that
	// exit, which CPU keeps: cpuDelta chooses between them.
	Nanos   time.Duration
	NanosOK bool
}

// SampleProcTree reads pid and every live descendant. Safe from any goroutine.
func SampleProcTree(pid int) (ProcSample, error) {
	return SampleProcTrees([]int{pid})
}

// SampleProcTrees reads every pid given and every live descendant of each, counting a
// process once even when it is in several trees: `pgrep -f myftpd` under `go run` names
// both the go command and the server it started, its child. A root that does not exist is
// an error. Safe from any goroutine.
func SampleProcTrees(roots []int) (ProcSample, error) {
	var s ProcSample
	if len(roots) == 0 {
		return s, fmt.Errorf("bench: no server pid: %w", ErrBadConfig)
	}
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		// Said once, plainly, rather than as an error opening some pid's file.
		return s, fmt.Errorf("bench: sampling a server process reads /proc, which this system (%s) does not have: leave out --pid: %w", runtime.GOOS, errors.ErrUnsupported)
	}
	kids, _ := childrenMap() // without it, the roots alone are sampled
	seen := map[int]bool{}
	var pids []int
	for _, r := range roots {
		if seen[r] {
			continue
		}
		seen[r] = true
		pids = append(pids, r)
	}
	nroots := len(pids)
	for i := 0; i < len(pids); i++ { // breadth first over every tree at once
		for _, k := range kids[pids[i]] {
			if !seen[k] {
				seen[k] = true
				pids = append(pids, k)
			}
		}
	}
	s.NanosOK = true
	for i, p := range pids {
		cpu, err := procCPU(p)
		if err != nil {
			if i < nroots {
				return s, err
			}
			continue // a child that exited between the scan and the read
		}
		mem, err := procMem(p)
		if err != nil {
			if i < nroots {
				return s, err
			}
			continue
		}
		s.CPU += cpu
		s.Mem += mem
		s.Procs++
		if s.NanosOK {
			ns, err := procNanos(p)
			s.Nanos += ns
			s.NanosOK = err == nil
		}
	}
	if !s.NanosOK {
		s.Nanos = 0
	}
	return s, nil
}

// procNanos sums the first field of /proc/PID/task/*/schedstat: nanoseconds each live
// thread has run. Without CONFIG_SCHED_INFO the files are missing and it fails.
func procNanos(pid int) (time.Duration, error) {
	dir := "/proc/" + strconv.Itoa(pid) + "/task"
	d, err := os.Open(dir)
	if err != nil {
		return 0, fmt.Errorf("bench: read %s: %w", dir, err)
	}
	tids, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return 0, fmt.Errorf("bench: read %s: %w", dir, err)
	}
	var sum time.Duration
	read := 0
	for _, tid := range tids {
		b, err := os.ReadFile(dir + "/" + tid + "/schedstat")
		if err != nil {
			continue // a thread that exited since the listing
		}
		f := bytes.Fields(b)
		if len(f) == 0 {
			continue
		}
		ns, err := strconv.ParseInt(string(f[0]), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("bench: parse %s/%s/schedstat: %w", dir, tid, err)
		}
		sum += time.Duration(ns)
		read++
	}
	if read == 0 {
		return 0, fmt.Errorf("bench: no schedstat under %s: %w", dir, ErrBadConfig)
	}
	return sum, nil
}

// minTicks is the fewest 10 ms ticks a tick-based CPU delta must hold before it is
// reported: each edge of the window truncates up to a tick per process (or per CPU), so
// below this the error passes 10%.
const minTicks = 10

// cpuDelta is the server tree's CPU between two samples and where it came from. It takes
// the nanosecond schedstat sum unless the tick counters, which keep exited threads and
// reaped children, exceed it by more than their own rounding (tasks exited inside the
// window). na, when not empty, says why the figure cannot be trusted: a tick-based delta
// under minTicks per process.
func cpuDelta(s0, s1 ProcSample) (secs float64, source, na string) {
	ticks := s1.CPU - s0.CPU
	procs := max(s0.Procs, s1.Procs, 1)
	if s0.NanosOK && s1.NanosOK {
		ns := s1.Nanos - s0.Nanos
		if ticks <= ns+time.Duration(procs+1)*clockTick {
			return ns.Seconds(), "schedstat", ""
		}
		source = "ticks (tasks exited during the window)"
	} else {
		source = "ticks (no schedstat)"
	}
	if ticks < time.Duration(minTicks*procs)*clockTick {
		na = fmt.Sprintf("%d ticks of 10ms, too few to resolve", ticks/clockTick)
	}
	return ticks.Seconds(), source, na
}

// procCPU returns utime+stime+cutime+cstime of one process from /proc/PID/stat.
func procCPU(pid int) (time.Duration, error) {
	path := "/proc/" + strconv.Itoa(pid) + "/stat"
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("bench: read %s: %w", path, err)
	}
	// The command name may hold spaces and parentheses: fields start after the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("bench: parse %s: %w", path, ErrBadConfig)
	}
	f := bytes.Fields(b[i+1:])
	// f[0] is field 3 (state); utime..cstime are fields 14..17.
	if len(f) < 15 {
		return 0, fmt.Errorf("bench: parse %s: %d fields: %w", path, len(f), ErrBadConfig)
	}
	var ticks int64
	for _, x := range f[11:15] {
		v, err := strconv.ParseInt(string(x), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("bench: parse %s: %w", path, err)
		}
		ticks += v
	}
	return time.Duration(ticks) * clockTick, nil
}

// procMem returns resident minus shared bytes from /proc/PID/statm.
func procMem(pid int) (int64, error) {
	path := "/proc/" + strconv.Itoa(pid) + "/statm"
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("bench: read %s: %w", path, err)
	}
	f := bytes.Fields(b)
	if len(f) < 3 {
		return 0, fmt.Errorf("bench: parse %s: %w", path, ErrBadConfig)
	}
	rss, err1 := strconv.ParseInt(string(f[1]), 10, 64)
	shared, err2 := strconv.ParseInt(string(f[2]), 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("bench: parse %s: %w", path, ErrBadConfig)
	}
	return (rss - shared) * int64(os.Getpagesize()), nil
}

// childrenMap maps every live process to its children by scanning /proc once.
func childrenMap() (map[int][]int, error) {
	d, err := os.Open("/proc")
	if err != nil {
		return nil, err
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return nil, err
	}
	kids := map[int][]int{}
	for _, n := range names {
		p, err := strconv.Atoi(n)
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + n + "/stat")
		if err != nil {
			continue
		}
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := bytes.Fields(b[i+1:])
		if len(f) < 2 {
			continue
		}
		pp, err := strconv.Atoi(string(f[1]))
		if err != nil {
			continue
		}
		kids[pp] = append(kids[pp], p)
	}
	return kids, nil
}

// SelfMem returns this process's RSS minus shared bytes, 0 when unknown.
func SelfMem() int64 {
	m, _ := procMem(os.Getpid())
	return m
}
