package config

import (
	"os"
	"strings"
	"testing"
)

// FuzzParse: the TOML loader never panics, and every error names the file (so an operator
// knows which file to fix). Seeds: the shipped example and fragments of each section.
func FuzzParse(f *testing.F) {
	if b, err := os.ReadFile("example.toml"); err == nil {
		f.Add(b)
	}
	for _, s := range []string{"", "port = 2121\n", "listen = [\"127.0.0.1:2121\"]\n", "[limits]\nmax_cons = -1\n",
		"[[user]]\nname = \"a\"\npassword = \"x\"\n", "[tls]\ncert_file = \"/nonexistent\"\n", "port = \"x\"\n", "= =\n[[[",
		"passive_ports = \"60000-59999\"\n", "write_limit = \"1e9\"\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("fuzz.toml", data)
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.toml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if file == nil {
			t.Fatal("nil File without an error")
		}
	})
}
