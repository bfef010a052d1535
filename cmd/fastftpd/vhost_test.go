package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fastftp/fastftp/internal/testcert"
)

// vhostProbe is a Python ftplib client: it runs the steps named on its command line
// against 127.0.0.1:PORT and prints one line per step, "step reply" or "step ERR error".
const vhostProbe = `
import ftplib, ssl, sys
port, cert_a, steps = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
def run(label, fn):
    try:
        print(label, fn(), flush=True)
    except (ftplib.Error, ssl.SSLError, OSError) as e:
        print(label, 'ERR', str(e).splitlines()[0], flush=True)
def plain():
    f = ftplib.FTP()
    f.connect('127.0.0.1', port, timeout=10)
    return f
def tls(sni):
    # Verified against a.example's self-signed certificate: the handshake succeeds only
    # if the server presents that certificate, for the name sni.
    ctx = ssl.create_default_context(cafile=cert_a)
    f = ftplib.FTP_TLS(context=ctx)
    f.connect('127.0.0.1', port, timeout=10)
    f.host = sni  # the server name AUTH TLS and PROT P data connections send
    return f
names = lambda f: ','.join(sorted(f.nlst()))
for step in steps:
    if step == 'a':
        f = plain()
        run('host-a', lambda: f.sendcmd('HOST ftp.a.example'))
        run('login-ann', lambda: f.login('ann', 'pw-ann'))
        run('list-a', lambda: names(f))
        run('host-after-login', lambda: f.sendcmd('HOST b.example'))
        f.close()
    elif step == 'wrong-host':
        f = plain()
        run('host-a', lambda: f.sendcmd('HOST a.example'))
        run('login-bea-on-a', lambda: f.login('bea', 'pw-bea'))
        f.close()
    elif step == 'unknown':
        f = plain()
        run('host-unknown', lambda: f.sendcmd('HOST c.example'))
        f.close()
    elif step == 'b':
        f = plain()
        run('host-b', lambda: f.sendcmd('HOST b.example'))
        run('login-anonymous', lambda: f.login())
        run('list-b', lambda: names(f))
        f.close()
    elif step == 'default':
        f = plain()
        run('login-ann-default', lambda: f.login('ann', 'pw-ann'))
        f.close()
    elif step == 'tls-a':
        f = tls('a.example')
        run('auth-sni-a', lambda: f.auth())
        run('login-ann-tls', lambda: f.login('ann', 'pw-ann'))
        run('prot-p', lambda: f.prot_p())
        run('list-a-tls', lambda: names(f))
        f.close()
    elif step == 'tls-b':
        f = tls('b.example')
        run('auth-sni-b', lambda: f.auth())
        f.close()
    elif step == 'amy':
        f = plain()
        run('host-a', lambda: f.sendcmd('HOST a.example'))
        run('login-amy', lambda: f.login('amy', 'pw-amy'))
        f.close()
`

func probe(t *testing.T, port, certA string, steps ...string) map[string]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "python3", append([]string{"-c", vhostProbe, port, certA}, steps...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("python3: %v\n%s", err, out)
	}
	got := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		k, v, _ := strings.Cut(l, " ")
		got[k] = v
	}
	return got
}

func expectSteps(t *testing.T, got map[string]string, want map[string]string) {
	t.Helper()
	for k, w := range want {
		if g, ok := got[k]; !ok || !strings.HasPrefix(g, w) {
			t.Errorf("%s: got %q, want prefix %q", k, g, w)
		}
	}
}

// TestVirtualHostsFromConfig runs fastftpd with two [[host]] tables on one port: each
// host's user sees only its tree, a user of one host cannot log in on another (or on the
// default host), an unknown host and HOST after login are refused, SNI selects the host's
// certificate (ftplib verifies it by name, on the control and the PROT P data connection),
// curl without HOST gets the default host, and SIGHUP reloads the hosts' users.
func TestVirtualHostsFromConfig(t *testing.T) {
	bin := buildBinary(t)
	dir := publicDir(t)
	for _, d := range []string{"def", "a", "b"} {
		os.Mkdir(filepath.Join(dir, d), 0o755)
		if err := os.WriteFile(filepath.Join(dir, d, d+"-only.txt"), []byte(d), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	certs := map[string][2]string{}
	for _, name := range []string{"localhost", "a.example", "b.example"} {
		d := filepath.Join(dir, name)
		os.Mkdir(d, 0o755)
		cert, key, _, err := testcert.WriteFor(d, 1, name)
		if err != nil {
			t.Fatal(err)
		}
		// Started as root, fastftpd reloads as the account it switched to.
		os.Chmod(key, 0o644)
		certs[name] = [2]string{cert, key}
	}
	path := filepath.Join(dir, "ftp.toml")
	write := func(extra string) {
		doc := fmt.Sprintf(`[server]
listen = ["127.0.0.1:0"]
[tls]
cert_file = %q
key_file = %q
require_session_reuse = false
[[user]]
name = "bob"
password = "pw-bob"
home = "def"
[[host]]
name = ["a.example", "ftp.a.example"]
root = "a"
banner = "A mirror."
cert_file = %q
key_file = %q
  [[host.user]]
  name = "ann"
  password = "pw-ann"
%s
[[host]]
name = "b.example"
root = "b"
anonymous = true
  [[host.user]]
  name = "bea"
  password = "pw-bea"
`, certs["localhost"][0], certs["localhost"][1], certs["a.example"][0], certs["a.example"][1], extra)
		if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("")
	cmd, port, log := startBinary(t, bin, dir, "-c", path)
	certA := certs["a.example"][0]

	got := probe(t, port, certA, "a", "wrong-host", "unknown", "b", "default", "tls-a", "tls-b", "amy")
	t.Logf("ftplib: %q", got)
	expectSteps(t, got, map[string]string{
		"host-a":            "220 A mirror.",
		"login-ann":         "230",
		"list-a":            "a-only.txt",
		"host-after-login":  "ERR 503",
		"login-bea-on-a":    "ERR 530",
		"host-unknown":      "ERR 504 Unknown host.",
		"host-b":            "220",
		"login-anonymous":   "230",
		"list-b":            "b-only.txt",
		"login-ann-default": "ERR 530",
		"auth-sni-a":        "234",
		"login-ann-tls":     "230",
		"prot-p":            "200",
		"list-a-tls":        "a-only.txt",
		"auth-sni-b":        "ERR [SSL: CERTIFICATE_VERIFY_FAILED]", // b.example has the server's certificate
		"login-amy":         "ERR 530",
	})

	// curl sends no HOST: the default host, bob's tree.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "curl", "-sS", "--list-only", "--user", "bob:pw-bob", "ftp://127.0.0.1:"+port+"/").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "def-only.txt" {
		t.Errorf("curl on the default host: %v %q", err, out)
	}

	// SIGHUP: a new user of a.example logs in.
	write("  [[host.user]]\n  name = \"amy\"\n  password = \"pw-amy\"\n")
	cmd.Process.Signal(syscall.SIGHUP)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(log.String(), "hosts=2") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	expectSteps(t, probe(t, port, certA, "amy"), map[string]string{"login-amy": "230"})
	if t.Failed() {
		t.Logf("server log:\n%s", log.String())
	}
}
