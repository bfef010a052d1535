package fastftp_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fastftp/fastftp"
)

// TestFTPSModeZLftp: MODE Z over PROT P data connections (the zlib stream inside TLS),
// with lftp downloading and uploading byte-exact; its debug log proves MODE Z was used.
func TestFTPSModeZLftp(t *testing.T) {
	lftp := needTool(t, "lftp")
	ts := startTLSServer(t, fastftp.Config{TLSControlRequired: true, TLSDataRequired: true, ModeZ: true})
	var text bytes.Buffer
	for i := 0; text.Len() < 600000; i++ {
		fmt.Fprintf(&text, "%06d GET /pub/file-%d.iso 200\n", i, i%313)
	}
	os.WriteFile(filepath.Join(ts.dir, "log.txt"), text.Bytes(), 0o644)
	local := t.TempDir()
	up := filepath.Join(local, "up.txt")
	os.WriteFile(up, text.Bytes()[:200000], 0o644)
	host, port, _ := net.SplitHostPort(ts.addr)
	script := fmt.Sprintf("set net:max-retries 1; set net:timeout 10; set ftp:ssl-force true; "+
		"set ftp:ssl-protect-data true; set ssl:verify-certificate no; set ftp:use-mode-z true; "+
		"debug 5; open -u alice,pw -p %s %s; get log.txt -o %s/got.txt; put %s -o up.txt",
		port, host, local, up)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, lftp, "-c", script).CombinedOutput()
	if err != nil {
		t.Fatalf("lftp: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "<--- 200 Transfer mode set to: Z") {
		t.Fatalf("lftp did not switch to MODE Z:\n%s", out)
	}
	if got, _ := os.ReadFile(filepath.Join(local, "got.txt")); !bytes.Equal(got, text.Bytes()) {
		t.Fatalf("MODE Z over TLS download differs: %d bytes, want %d", len(got), text.Len())
	}
	if got, _ := os.ReadFile(filepath.Join(ts.dir, "up.txt")); !bytes.Equal(got, text.Bytes()[:200000]) {
		t.Fatalf("MODE Z over TLS upload differs: %d bytes", len(got))
	}
}
