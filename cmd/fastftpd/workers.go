// workers.go: --workers N, the parts every platform compiles: the environment a worker is
// started with, passive port slices, and the supervisor's merged /metrics.
//
// With N > 1 the fastftpd process started by the operator is a supervisor: it binds every
// listening socket once, creates the shared limits table (internal/shm) and re-executes
// itself N times with the same arguments. Each worker inherits the sockets and serves
// from them (one accept queue shared by all: see ARCHITECTURE.md, "Workers"), takes its
// slice of the passive port range, and counts its connections, sessions and bans in the
// shared table, so limits stay global. See workers_unix.go for the process handling.

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
)

const (
	// envWorker names the worker index (0..N-1) in a worker's environment.
	envWorker = "FASTFTPD_WORKER"
	// envFiles lists, as JSON, what each inherited descriptor is, from fd 3 on: "shm" (the
	// limits table) or fileKey(from, address) for a listener.
	envFiles = "FASTFTPD_WORKER_FILES"
)

// isWorker reports whether this process was started by a --workers supervisor.
func isWorker() bool { return os.Getenv(envWorker) != "" }

// fileKey names an inherited listener: the flag or key it came from and its address.
func fileKey(from, addr string) string { return from + " " + addr }

// workerEnv is the environment of worker i, whose inherited files are keys (fd 3 on).
func workerEnv(i int, keys []string) []string {
	js, _ := json.Marshal(keys)
	env := make([]string, 0, len(os.Environ())+2)
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, envWorker+"=") && !strings.HasPrefix(e, envFiles+"=") {
			env = append(env, e)
		}
	}
	return append(env, envWorker+"="+strconv.Itoa(i), envFiles+"="+string(js))
}

// workerFiles reads a worker's environment: its index and the key of each inherited
// descriptor (fd 3 + position).
func workerFiles() (int, []string, error) {
	i, err := strconv.Atoi(os.Getenv(envWorker))
	if err != nil || i < 0 {
		return 0, nil, fmt.Errorf("%s=%q is not a worker index", envWorker, os.Getenv(envWorker))
	}
	var keys []string
	if err := json.Unmarshal([]byte(os.Getenv(envFiles)), &keys); err != nil {
		return 0, nil, fmt.Errorf("%s: %v", envFiles, err)
	}
	return i, keys, nil
}

// portSlice is worker i's part of the passive range lo-hi split among n workers: disjoint,
// covering the range, sizes differing by one at most. The caller ensures n <= hi-lo+1.
func portSlice(lo, hi uint16, n, i int) (uint16, uint16) {
	size := int(hi) - int(lo) + 1
	a := int(lo) + size*i/n
	b := int(lo) + size*(i+1)/n - 1
	return uint16(a), uint16(b)
}

// mergeMetrics writes the Prometheus text expositions of several workers as one, each
// sample labelled worker="i": one HELP and TYPE per family (the format allows a family
// once), followed by every worker's samples of it. Families keep the order in which they
// first appear. A nil body (a worker that did not answer) is skipped. extra follows as it
// is (families of the supervisor's own).
func mergeMetrics(w io.Writer, bodies [][]byte, extra []byte) {
	type family struct {
		help, typ string
		samples   []string
	}
	fams := map[string]*family{}
	var order []string
	get := func(name string) *family {
		f := fams[name]
		if f == nil {
			f = &family{}
			fams[name] = f
			order = append(order, name)
		}
		return f
	}
	for i, body := range bodies {
		if body == nil {
			continue
		}
		label := `worker="` + strconv.Itoa(i) + `"`
		cur := ""
		sc := bufio.NewScanner(bytes.NewReader(body))
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
			case strings.HasPrefix(line, "# HELP ") || strings.HasPrefix(line, "# TYPE "):
				fields := strings.Fields(line)
				if len(fields) < 3 {
					continue
				}
				cur = fields[2]
				f := get(cur)
				if fields[1] == "HELP" && f.help == "" {
					f.help = line
				} else if fields[1] == "TYPE" && f.typ == "" {
					f.typ = line
				}
			case strings.HasPrefix(line, "#"):
			default:
				name, rest := line, ""
				if j := strings.IndexAny(line, "{ "); j >= 0 {
					name, rest = line[:j], line[j:]
				}
				fam := cur
				if fam == "" || !strings.HasPrefix(name, fam) {
					fam = name
				}
				rest = strings.TrimPrefix(rest, "{}")
				if strings.HasPrefix(rest, "{") {
					rest = "{" + label + "," + rest[1:]
				} else {
					rest = "{" + label + "}" + rest
				}
				f := get(fam)
				f.samples = append(f.samples, name+rest)
			}
		}
	}
	bw := bufio.NewWriter(w)
	for _, name := range order {
		f := fams[name]
		for _, l := range []string{f.help, f.typ} {
			if l != "" {
				bw.WriteString(l + "\n")
			}
		}
		for _, l := range f.samples {
			bw.WriteString(l + "\n")
		}
	}
	bw.Write(extra)
	bw.Flush()
}

// supervisorMetrics is the supervisor's own exposition, written after the merged
// workers' as it is (its families are its own; its samples carry their worker label).
func supervisorMetrics(bodies [][]byte, restarts []atomic.Int64) []byte {
	var b bytes.Buffer
	b.WriteString("# HELP fastftp_worker_up Whether the worker answered this scrape.\n# TYPE fastftp_worker_up gauge\n")
	for i, body := range bodies {
		up := 0
		if body != nil {
			up = 1
		}
		fmt.Fprintf(&b, "fastftp_worker_up{worker=\"%d\"} %d\n", i, up)
	}
	b.WriteString("# HELP fastftp_worker_restarts_total Workers restarted after they exited.\n# TYPE fastftp_worker_restarts_total counter\n")
	for i := range restarts {
		fmt.Fprintf(&b, "fastftp_worker_restarts_total{worker=\"%d\"} %d\n", i, restarts[i].Load())
	}
	return b.Bytes()
}
