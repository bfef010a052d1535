// Run configuration: what to measure and how, with defaults matching pyftpdlib's ftpbench.

package bench

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/fastftp/fastftp/ftpclient"
)

// Config describes one benchmark run. Fill it, then pass it to Run; Run does not modify it.
type Config struct {
	Host       string             // server host name or IP (IPv6 without brackets)
	Port       int                // server port
	User       string             // login name
	Pass       string             // password
	Clients    int                // concurrent clients/streams (-n); default 200 for classic, 10 otherwise
	FileSize   int64              // bytes per transfer (-s); default 10 MiB
	PID        int                // server process to sample (-k); 0: none
	PIDs       []int              // more server processes (-k "1 2"), each with its tree; sampled as one with PID
	Timeout    time.Duration      // bound on every network step (-t); default 30s
	Debug      io.Writer          // protocol log (-d)
	TLS        ftpclient.TLSMode  // FTPS (-S: explicit)
	TLSConfig  *tls.Config        // optional base TLS config
	Data       ftpclient.DataMode // PASV, EPSV, PORT or EPRT
	Sources    []netip.Addr       // local source addresses (--source)
	Duration   time.Duration      // measured window per scenario; default 5s
	Warmup     time.Duration      // unmeasured lead-in; default 1s
	Count      int64              // when > 0: run exactly this many operations instead of a duration
	Rate       float64            // when > 0: open loop at this many operations per second
	Verify     bool               // check sha256 of every download
	Seed       uint64             // content seed for generated files
	Dir        string             // remote directory for the benchmark's files; "" = login directory
	ListFiles  int                // entries in the list scenario's directory; default 1000
	Repeat     int                // run each scenario this many times (samples for compare); default 1
	Keep       bool               // leave generated remote files and directories in place
	File       string             // RETR this existing remote file instead of uploading one (--file): read-only servers
	Progress   io.Writer          // live progress line (a terminal); nil: quiet
	Args       []string           // command line, recorded in the report
	Pipeline   bool               // login: send USER, PASS and QUIT in one write
	Tag        string             // distinguishes the files of concurrent runs (--procs children)
	NetLogin   bool               // login: go through package net (netpoller) instead of raw-socket event loops
	ResetClose bool               // login on raw sockets: close with a reset (SO_LINGER 0) after the 221, not a FIN
	// Ready, when set, is called once by the idle scenario when its sessions are open and
	// settled, before the NOOP sweeps: --procs children tell their parent to sample the
	// server then. Called from the goroutine running Run.
	Ready func()
}

// serverPIDs lists the server processes to sample: PID and PIDs, or none.
func (c *Config) serverPIDs() []int {
	var out []int
	if c.PID > 0 {
		out = append(out, c.PID)
	}
	for _, p := range c.PIDs {
		if p > 0 {
			out = append(out, p)
		}
	}
	return out
}

// sampleServer samples every server process tree as one.
func (c *Config) sampleServer() (ProcSample, error) { return SampleProcTrees(c.serverPIDs()) }

// Addr returns host:port, bracketing IPv6 literals.
func (c *Config) Addr() string { return net.JoinHostPort(c.Host, strconv.Itoa(c.Port)) }

// withDefaults returns a copy with zero fields filled in.
func (c Config) withDefaults(classic bool) Config {
	if c.Host == "" {
		c.Host = "localhost"
	}
	if c.Port == 0 {
		c.Port = 21
	}
	if c.Clients <= 0 {
		c.Clients = 10
		if classic {
			c.Clients = 200
		}
	}
	if c.FileSize <= 0 {
		c.FileSize = 10 << 20
	}
	if c.Timeout <= 0 {
		c.Timeout = 30 * time.Second
	}
	if c.Duration <= 0 {
		c.Duration = 5 * time.Second
	}
	if c.Warmup < 0 {
		c.Warmup = 0
	}
	if c.ListFiles <= 0 {
		c.ListFiles = 1000
	}
	if c.Repeat <= 0 {
		c.Repeat = 1
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	return c
}

// remotePath joins the benchmark directory and a file name.
func (c *Config) remotePath(name string) string {
	if c.Dir == "" {
		return name
	}
	return strings.TrimSuffix(c.Dir, "/") + "/" + name
}

// ParseSize parses sizes like pyftpdlib's: "10M", "512K", "1G", "1.5M", or plain bytes.
// Units are binary (K = 1024).
func ParseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("bench: empty size: %w", ErrBadConfig)
	}
	mult := float64(1)
	switch strings.ToUpper(s[len(s)-1:]) {
	case "B":
		s = s[:len(s)-1]
	case "K":
		mult, s = 1<<10, s[:len(s)-1]
	case "M":
		mult, s = 1<<20, s[:len(s)-1]
	case "G":
		mult, s = 1<<30, s[:len(s)-1]
	case "T":
		mult, s = 1<<40, s[:len(s)-1]
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("bench: size %q: %w", s, ErrBadConfig)
	}
	return int64(v * mult), nil
}

// FormatSize renders bytes like pyftpdlib's bytes2human: "10.0M", "512.0K", "7B".
func FormatSize(n int64) string {
	const units = "KMGTPE"
	for i := len(units) - 1; i >= 0; i-- {
		p := int64(1) << (10 * (i + 1))
		if n >= p {
			return strconv.FormatFloat(float64(n)/float64(p), 'f', 1, 64) + units[i:i+1]
		}
	}
	return strconv.FormatInt(n, 10) + "B"
}

// ParseSources parses "127.0.0.1-127.0.0.8" (an inclusive range), "a,b,c" lists or a
// single address.
func ParseSources(s string) ([]netip.Addr, error) {
	var out []netip.Addr
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := netip.ParseAddr(lo)
		if err != nil {
			return nil, fmt.Errorf("bench: source %q: %w", part, ErrBadConfig)
		}
		if !isRange {
			out = append(out, a)
			continue
		}
		b, err := netip.ParseAddr(hi)
		if err != nil || b.Less(a) || a.Is4() != b.Is4() {
			return nil, fmt.Errorf("bench: source range %q: %w", part, ErrBadConfig)
		}
		for x := a; ; x = x.Next() {
			out = append(out, x)
			if x == b || len(out) > 65536 {
				break
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("bench: no source address in %q: %w", s, ErrBadConfig)
	}
	return out, nil
}
