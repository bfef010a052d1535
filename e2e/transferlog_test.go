// The transfer log line says how each transfer ended; a segmented download (lftp pget,
// aria2c) whose client closes each segment's data connection once it holds its part is
// "closed by client", never "failed", and successful lines carry no err.

package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

func TestTransferLogSegmentedDownloads(t *testing.T) {
	fastftpOnly(t, "reads the server's log")
	s := startServer(t)
	want := writeRandomFile(t, filepath.Join(s.Root, "big.bin"), 41, 24<<20)
	dir := t.TempDir()
	url := fmt.Sprintf("ftp://%s:%s@%s/big.bin", s.User, s.Pass, s.Addr)
	ran := 0
	if out, err := runTool(t, nil, "lftp", "-c", fmt.Sprintf("set net:max-retries 2; set net:timeout 20; open %s:%s@%s; pget -n 4 big.bin -o %s",
		s.User, s.Pass, s.Addr, filepath.Join(dir, "lftp.bin"))); err != nil {
		t.Fatalf("lftp pget: %v\n%s", err, out)
	}
	ran++
	if got := sha256File(t, filepath.Join(dir, "lftp.bin")); got != want {
		t.Fatal("lftp pget: content differs")
	}
	if out, err := runTool(t, nil, "aria2c", "-x", "4", "-s", "4", "--min-split-size=1M", "-q", "-d", dir, "-o", "aria.bin", url); err != nil {
		t.Logf("aria2c: %v\n%s (skipping its part)", err, out)
	} else {
		ran++
		if got := sha256File(t, filepath.Join(dir, "aria.bin")); got != want {
			t.Fatal("aria2c: content differs")
		}
	}
	lines := 0
	for _, line := range strings.Split(s.logs.String(), "\n") {
		if !strings.Contains(line, "msg=transfer") || !strings.Contains(line, "path=/big.bin") {
			continue
		}
		lines++
		switch {
		case strings.Contains(line, "result=failed"):
			t.Errorf("a segment of a segmented download logged as failed: %s", line)
		case strings.Contains(line, "result=complete") && strings.Contains(line, "err="):
			t.Errorf("a complete transfer logs an err: %s", line)
		case !strings.Contains(line, "result="):
			t.Errorf("a transfer line without result: %s", line)
		}
	}
	t.Logf("%d transfer lines:\n%s", lines, grepLines(s.logs.String(), "msg=transfer"))
	if lines < 2*ran {
		t.Fatalf("%d transfer lines for %d segmented downloads: the test proved nothing\n%s", lines, ran, s.logs.String())
	}
}

func grepLines(text, sub string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
