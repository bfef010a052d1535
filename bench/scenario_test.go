// Scenarios against a real pyftpdlib on loopback: counts, bytes and error classes.
package bench

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fastftp/fastftp/ftpclient"
)

func TestLoginCount(t *testing.T) {
	s := startPyftpd(t, "")
	cfg := s.config()
	cfg.Count = 60
	r := runOne(t, cfg, "login")
	if r.Ops != 60 || r.ErrorCount() != 0 {
		t.Fatalf("ops=%d errors=%v, want 60 and none", r.Ops, r.Errors)
	}
	if r.Latency.Count() != 60 || r.Figure("rate").Value <= 0 || r.Figure("latency_p99").Value <= 0 {
		t.Fatalf("histogram %d, figures %+v", r.Latency.Count(), r.Figures)
	}
	if r.ServerCPU < 0 || r.ServerMem <= 0 {
		t.Fatalf("server cost not sampled: cpu=%v mem=%v", r.ServerCPU, r.ServerMem)
	}
}

func TestLoginWrongPasswordCounts5xx(t *testing.T) {
	s := startPyftpd(t, "")
	cfg := s.config()
	cfg.Pass = "wrong"
	cfg.Count = 4 // pyftpdlib answers a bad password after a 3 s penalty
	cfg.Clients = 4
	r := runOne(t, cfg, "login")
	if r.Ops != 0 || r.Errors["5xx"] != 4 {
		t.Fatalf("ops=%d errors=%v, want 0 ops and 4 5xx", r.Ops, r.Errors)
	}
	if !strings.Contains(r.ErrorText["5xx"], "530") {
		t.Fatalf("5xx sample %q does not name the 530 reply", r.ErrorText["5xx"])
	}
}

func TestLoginClosedPortCountsRefused(t *testing.T) {
	cfg := Config{Host: "127.0.0.1", Port: freePort(t), User: "u", Pass: "p", Count: 20, Clients: 2,
		Timeout: 2 * time.Second}
	r := runOne(t, cfg, "login")
	if r.Ops != 0 || r.Errors["refused"] != 20 {
		t.Fatalf("ops=%d errors=%v, want 20 refused", r.Ops, r.Errors)
	}
}

func TestRetrStorBytes(t *testing.T) {
	s := startPyftpd(t, "")
	for _, mode := range []ftpclient.DataMode{ftpclient.DataPASV, ftpclient.DataEPSV, ftpclient.DataPORT, ftpclient.DataEPRT} {
		t.Run(mode.String(), func(t *testing.T) {
			cfg := s.config()
			cfg.Data, cfg.Count, cfg.Verify = mode, 12, true
			if mode == ftpclient.DataPORT || mode == ftpclient.DataEPRT {
				// pyftpdlib 1.5.7 sometimes never answers one of two simultaneous PORTs
				// (the connection sits in our accept queue, no 200): a server bug that
				// ftpbench rightly counts as a timeout, kept out of this test.
				cfg.Clients = 1
			}
			r := runOne(t, cfg, "retr")
			if r.Ops != 12 || r.ErrorCount() != 0 || r.Bytes != 12*uint64(cfg.FileSize) {
				t.Fatalf("retr ops=%d bytes=%d errors=%v %v", r.Ops, r.Bytes, r.Errors, r.ErrorText)
			}
			r = runOne(t, cfg, "stor")
			if r.Ops != 12 || r.ErrorCount() != 0 || r.Bytes != 12*uint64(cfg.FileSize) {
				t.Fatalf("stor ops=%d bytes=%d errors=%v %v", r.Ops, r.Bytes, r.Errors, r.ErrorText)
			}
		})
	}
	if left, _ := filepath.Glob(filepath.Join(s.dir, "ftpbench-*")); len(left) != 0 {
		t.Fatalf("files left behind: %v", left)
	}
}

func TestRetrDurationThroughput(t *testing.T) {
	s := startPyftpd(t, "")
	r := runOne(t, s.config(), "retr")
	if r.Ops == 0 || r.ErrorCount() != 0 || r.Figure("throughput").Value <= 0 {
		t.Fatalf("ops=%d errors=%v %v", r.Ops, r.Errors, r.ErrorText)
	}
	if r.Seconds < 0.6 || r.Seconds > 1.5 {
		t.Fatalf("window %.2fs, want about 0.7s", r.Seconds)
	}
	if f := r.Figure("server_cpu_per_gib"); f == nil {
		t.Fatalf("no server_cpu_per_gib figure: %+v", r.Figures)
	}
}

func TestRetrMissingFileIs5xx(t *testing.T) {
	s := startPyftpd(t, "")
	cfg := s.config()
	cfg.Count = 3
	e := &env{cfg: &cfg, d: &ftpclient.Dialer{Addr: cfg.Addr(), Timeout: cfg.Timeout}}
	r := newRunner(&cfg, e.d, "retr")
	r.drive(testCtx(t), 1, func(int) worker { return e.newXferWorker(r, false, "no-such-file") })
	if r.ops.Load() != 0 || r.errs[Class5xx].Load() != 3 {
		t.Fatalf("ops=%d 5xx=%d, want 0 and 3", r.ops.Load(), r.errs[Class5xx].Load())
	}
}

func TestListCountsEntries(t *testing.T) {
	s := startPyftpd(t, "")
	cfg := s.config()
	cfg.ListFiles, cfg.Count, cfg.Keep = 150, 10, true // the directory is examined below
	r := runOne(t, cfg, "list")
	if r.Ops != 10 || r.ErrorCount() != 0 {
		t.Fatalf("ops=%d errors=%v %v", r.Ops, r.Errors, r.ErrorText)
	}
	ents, err := os.ReadDir(filepath.Join(s.dir, "ftpbench-list-150"))
	if err != nil || len(ents) != 150 {
		t.Fatalf("list dir has %d entries (%v), want 150", len(ents), err)
	}
	// Ask for more entries than exist: every listing is short.
	os.Remove(filepath.Join(s.dir, "ftpbench-list-150", ents[0].Name()))
	e := &env{cfg: &cfg, d: &ftpclient.Dialer{Addr: cfg.Addr(), Timeout: cfg.Timeout}}
	cfg.Count = 3
	rr := newRunner(&cfg, e.d, "list")
	rr.drive(testCtx(t), 1, func(int) worker {
		w := &listWorker{e: e, buf: make([]byte, xferBufSize), dir: e.listDir(), want: 150}
		w.m.r = rr
		return w
	})
	if rr.errs[ClassShort].Load() != 3 {
		t.Fatalf("short=%d, want 3", rr.errs[ClassShort].Load())
	}
}

func TestMirrorMix(t *testing.T) {
	s := startPyftpd(t, "")
	cfg := s.config()
	cfg.Count, cfg.Verify = 200, true
	r := runOne(t, cfg, "mirror")
	if r.Ops != 200 || r.ErrorCount() != 0 {
		t.Fatalf("ops=%d errors=%v %v", r.Ops, r.Errors, r.ErrorText)
	}
	var issued float64
	for _, k := range []string{"retr", "list", "cwd", "size", "mdtm"} {
		issued += r.Figure("issued_" + k).Value
	}
	if issued != 200 || r.Figure("issued_retr").Value < 100 {
		t.Fatalf("issued %v of 200, retr %v", issued, r.Figure("issued_retr").Value)
	}
}

func TestIdleSessions(t *testing.T) {
	s := startPyftpd(t, "")
	cfg := s.config()
	cfg.Clients = 200
	cfg.Duration = time.Second
	r := runOne(t, cfg, "idle")
	if r.Figure("sessions").Value != 200 || r.ErrorCount() != 0 {
		t.Fatalf("sessions=%v errors=%v %v", r.Figure("sessions").Value, r.Errors, r.ErrorText)
	}
	if r.Ops < 200 || r.Figure("kib_per_idle_session") == nil {
		t.Fatalf("noops=%d figures %+v", r.Ops, r.Figures)
	}
}

func TestOpenLoopRate(t *testing.T) {
	s := startPyftpd(t, "")
	cfg := s.config()
	cfg.Rate, cfg.Clients, cfg.Duration = 200, 8, time.Second
	r := runOne(t, cfg, "login")
	if r.Loop != "open" || r.ErrorCount() != 0 {
		t.Fatalf("loop=%s errors=%v", r.Loop, r.Errors)
	}
	// The schedule caps the rate: 200/s over 1 s is 200 ± edge effects, never 1000s. The
	// floor only proves progress: a starved pyftpdlib on a loaded VM falls well short.
	if r.Ops < 50 || r.Ops > 230 {
		t.Fatalf("ops=%d in %.2fs at 200/s", r.Ops, r.Seconds)
	}
}

func TestClassicConcurrence(t *testing.T) {
	s := startPyftpd(t, "")
	cfg := s.config()
	cfg.Clients = 20
	rep, err := Run(testCtx(t), cfg, "all")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"STOR (client -> server)", "RETR (server -> client)", "20 concurrent clients (connect, login)",
		"STOR (1 file with 20 idle clients)", "RETR (1 file with 20 idle clients)",
		"20 concurrent clients (RETR 256.0K file)", "20 concurrent clients (STOR 256.0K file)", "20 concurrent clients (QUIT)"}
	if len(rep.Results) != len(want) {
		t.Fatalf("%d results, want %d", len(rep.Results), len(want))
	}
	for i, r := range rep.Results {
		if r.Title != want[i] || r.ErrorCount() != 0 || r.Incomplete {
			t.Fatalf("result %d: %q errors %v incomplete %q, want %q", i, r.Title, r.Errors, r.IncompleteReason, want[i])
		}
		if r.Loop == "once" && r.Ops != 20 {
			t.Fatalf("%s: ops=%d, want 20", r.Title, r.Ops)
		}
	}
	var b strings.Builder
	rep.PrintTable(&b, false)
	if !strings.Contains(b.String(), "(starting with ") || !strings.Contains(b.String(), "20 concurrent clients (QUIT)") {
		t.Fatalf("table:\n%s", b.String())
	}
}

func TestSourceAddresses(t *testing.T) {
	srcs, err := ParseSources("127.0.0.2-127.0.0.4,127.0.0.9")
	if err != nil || len(srcs) != 4 || srcs[2].String() != "127.0.0.4" || srcs[3].String() != "127.0.0.9" {
		t.Fatalf("ParseSources: %v %v", srcs, err)
	}
	for _, bad := range []string{"x", "127.0.0.5-127.0.0.1", "127.0.0.1-::1", ""} {
		if _, err := ParseSources(bad); err == nil {
			t.Errorf("ParseSources(%q) accepted", bad)
		}
	}
	s := startPyftpd(t, "")
	cfg := s.config()
	cfg.Sources, cfg.Count = srcs[:3], 9
	// pyftpdlib refuses a passive data connection from another address than the control
	// connection's: retr passing proves data connections follow their session's source.
	for _, name := range []string{"login", "retr"} {
		if r := runOne(t, cfg, name); r.Ops != 9 || r.ErrorCount() != 0 {
			t.Fatalf("%s with sources: ops=%d errors=%v %v", name, r.Ops, r.Errors, r.ErrorText)
		}
	}
	d := &ftpclient.Dialer{Addr: cfg.Addr(), Timeout: cfg.Timeout, Sources: srcs[:3]}
	seen := map[string]bool{}
	for i := 0; i < 3; i++ {
		c, err := d.Dial(testCtx(t))
		if err != nil {
			t.Fatal(err)
		}
		seen[c.LocalAddr().String()] = true
		c.Close()
	}
	if len(seen) != 3 {
		t.Fatalf("3 dials used sources %v", seen)
	}
}

func TestSizes(t *testing.T) {
	for in, want := range map[string]int64{"10M": 10 << 20, "512K": 512 << 10, "1.5M": 3 << 19, "77": 77, "2G": 2 << 30} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d %v, want %d", in, got, err, want)
		}
	}
	if FormatSize(10<<20) != "10.0M" || FormatSize(7) != "7B" || FormatSize(1536) != "1.5K" {
		t.Errorf("FormatSize: %s %s %s", FormatSize(10<<20), FormatSize(7), FormatSize(1536))
	}
}
