package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestModeZSwitch: MODE Z is refused by default; --mode-z and the file's server.mode_z
// turn it on (FEAT lists it), --mode-z-max-level bounds OPTS MODE Z LEVEL.
func TestModeZSwitch(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()

	_, port, log := startBinary(t, bin, dir, "-p", "0")
	send := rawSession(t, "127.0.0.1:"+port, "anonymous", "a@b")
	if r := send("MODE Z"); !strings.HasPrefix(r, "504 ") {
		t.Errorf("MODE Z by default: %q", r)
	}
	if r := send("FEAT"); strings.Contains(r, "MODE Z") {
		t.Errorf("FEAT by default lists MODE Z: %q", r)
	}
	if !strings.Contains(log.String(), "mode_z=false") {
		t.Errorf("effective configuration does not say mode_z=false:\n%s", log.String())
	}

	_, port, _ = startBinary(t, bin, dir, "-p", "0", "--mode-z", "--mode-z-max-level", "3")
	send = rawSession(t, "127.0.0.1:"+port, "anonymous", "a@b")
	if r := send("FEAT"); !strings.Contains(r, "MODE Z") {
		t.Errorf("FEAT with --mode-z: %q", r)
	}
	if r := send("MODE Z"); !strings.HasPrefix(r, "200 ") {
		t.Errorf("MODE Z with --mode-z: %q", r)
	}
	if r := send("OPTS MODE Z LEVEL 4"); r != "501 MODE Z LEVEL must be 0 to 3." {
		t.Errorf("OPTS MODE Z LEVEL 4 under --mode-z-max-level 3: %q", r)
	}

	path, _ := userFile(t, bin)
	doc, _ := os.ReadFile(path)
	os.WriteFile(path, []byte(strings.Replace(string(doc), "[server]\n", "[server]\nmode_z = true\n", 1)), 0o644)
	_, port, _ = startBinary(t, bin, t.TempDir(), "-c", path, "-p", "0")
	send = rawSession(t, "127.0.0.1:"+port, "alice", "pw")
	if r := send("MODE Z"); !strings.HasPrefix(r, "200 ") {
		t.Errorf("MODE Z with mode_z = true: %q", r)
	}
}

func TestModeZMaxLevelRefusesBadLevel(t *testing.T) {
	var out bytes.Buffer
	if code := run([]string{"--mode-z-max-level", "10"}, &out); code != 2 || !strings.Contains(out.String(), "--mode-z-max-level 10") {
		t.Errorf("--mode-z-max-level 10: exit %d, %q", code, out.String())
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "f.toml")
	os.WriteFile(path, []byte("[server]\nmode_z_max = -1\n[[user]]\nname = \"a\"\npassword = \"x\"\nhome = \""+dir+"\"\n"), 0o644)
	out.Reset()
	if code := run([]string{"--config", path, "--check-config"}, &out); code != 2 || !strings.Contains(out.String(), "f.toml:2:") {
		t.Errorf("mode_z_max = -1: exit %d, %q", code, out.String())
	}
}
