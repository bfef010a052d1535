// Proportional set size of a process tree: each page shared by k processes counts 1/k in
// each, so forked servers' copy-on-write pages are not counted once per session as they
// are in RSS minus shared.
package main

import (
	"bytes"
	"os"
	"strconv"
)

// treePSS returns the summed Pss of pid and its live descendants, in bytes, and how many
// processes it read. Processes that exit while it reads are skipped.
func treePSS(pid int) (int64, int) {
	parent := map[int]int{}
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return 0, 0
	}
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// Fields after the command name (which may hold spaces): state, ppid, ...
		if i := bytes.LastIndexByte(b, ')'); i >= 0 {
			f := bytes.Fields(b[i+1:])
			if len(f) > 1 {
				parent[p], _ = strconv.Atoi(string(f[1]))
			}
		}
	}
	in := map[int]bool{pid: true}
	for grew := true; grew; {
		grew = false
		for p, pp := range parent {
			if !in[p] && in[pp] {
				in[p], grew = true, true
			}
		}
	}
	var total int64
	n := 0
	for p := range in {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(p) + "/smaps_rollup")
		if err != nil {
			continue
		}
		if v, ok := field(b, "Pss:"); ok {
			total += v << 10
			n++
		}
	}
	return total, n
}

// field returns the kB value of a "Name:   123 kB" line.
func field(b []byte, name string) (int64, bool) {
	i := bytes.Index(b, []byte("\n"+name))
	if i < 0 {
		return 0, false
	}
	rest := b[i+1+len(name):]
	if j := bytes.IndexByte(rest, '\n'); j >= 0 {
		rest = rest[:j]
	}
	f := bytes.Fields(rest)
	if len(f) == 0 {
		return 0, false
	}
	v, err := strconv.ParseInt(string(f[0]), 10, 64)
	return v, err == nil
}
