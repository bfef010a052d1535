// The audit trail: every command that changes the tree, done or refused, has one INFO line
// with the user, the client's address, the path and the reply code.

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAuditTrail(t *testing.T) {
	fastftpOnly(t, "reads the server's log")
	s := startServer(t)
	if err := os.WriteFile(filepath.Join(s.Root, "f.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := s.login(t)
	c.cmd("MKD d", 257)
	c.cmd("RNFR f.txt", 350)
	c.cmd("RNTO d/g.txt", 250)
	c.cmd("SITE CHMOD 600 d/g.txt", 200)
	c.cmd("MFMT 20250102150405 d/g.txt", 213)
	c.cmd("DELE d/g.txt", 250)
	c.cmd("DELE missing.txt", 550)
	c.cmd("RMD d", 250)
	c.cmd("NOOP", 200)
	anon := s.dial(t)
	anon.loginAs(anonUser, anonPass)
	anon.cmd("MKD nope", 550)
	anon.cmd("NOOP", 200)

	log := s.logs.String()
	for _, want := range []struct{ verb, path, code, user string }{
		{"MKD", "/d", "257", testUser},
		{"RNTO", "/d/g.txt", "250", testUser},
		{"SITE", "CHMOD 600 d/g.txt", "200", testUser},
		{"MFMT", "20250102150405 d/g.txt", "213", testUser},
		{"DELE", "/d/g.txt", "250", testUser},
		{"DELE", "/missing.txt", "550", testUser},
		{"RMD", "/d", "250", testUser},
		{"MKD", "/nope", "550", anonUser},
	} {
		found := false
		for _, line := range strings.Split(log, "\n") {
			if strings.Contains(line, "msg=command") && strings.Contains(line, "verb="+want.verb+" ") &&
				strings.Contains(line, fmt.Sprintf("code=%s", want.code)) && strings.Contains(line, "user="+want.user) &&
				strings.Contains(line, "remote=127.0.0.1:") && (strings.Contains(line, "path="+want.path+" ") || strings.Contains(line, fmt.Sprintf("path=%q", want.path))) {
				found = true
				if want.verb == "RNTO" && !strings.Contains(line, "from=/f.txt") {
					t.Errorf("RNTO line lacks the old name: %s", line)
				}
			}
		}
		if !found {
			t.Errorf("no audit line for %s %s -> %s by %s in:\n%s", want.verb, want.path, want.code, want.user, log)
		}
	}
	// RNFR's 350 and read-only commands write no audit line.
	if strings.Contains(log, "verb=RNFR") || strings.Contains(log, "verb=NOOP") {
		t.Errorf("audit lines for RNFR's 350 or NOOP:\n%s", log)
	}
}
