package main

import (
	"flag"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fastftp/fastftp/config"
)

// TestDataLoopsFlagAndKey: --data-loops and server.data_loops reach Config.DataLoops (the
// flag over the file's key only when given): "auto" (Config 0, one loop per CPU) is the
// default, "off" and 0 (the old spelling of off) are Config -1; negative and absurd
// counts are refused, naming the flag or key.
func TestDataLoopsFlagAndKey(t *testing.T) {
	checkFlagAndKey(t, "data_loops", func(st *settings) int { return st.cfg.DataLoops }, []flagKeyCase{
		{"", nil, 0, ""},
		{"", []string{"--data-loops", "1"}, 1, ""},
		{"", []string{"--data-loops", "auto"}, 0, ""},
		{"", []string{"--data-loops", "off"}, -1, ""},
		{"2", nil, 2, ""},
		{`"auto"`, nil, 0, ""},
		{`"off"`, nil, -1, ""},
		{"0", nil, -1, ""},
		{"2", []string{"--data-loops", "0"}, -1, ""},
		{`"off"`, []string{"--data-loops", "auto"}, 0, ""},
		{"2", []string{"--loops", "3"}, 2, ""},
		{"", []string{"--data-loops", "-1"}, 0, "--data-loops"},
		{"", []string{"--data-loops", "100000"}, 0, "--data-loops"},
		{"", []string{"--data-loops", "many"}, 0, "--data-loops"},
		{"-1", nil, 0, "server.data_loops"},
		{"100000", nil, 0, "server.data_loops"},
		{`"lots"`, nil, 0, "server.data_loops"},
		{"true", nil, 0, "server.data_loops"},
	})
}

// flagKeyCase is one row of checkFlagAndKey: the file's value of the key ("" for none),
// the command line, and the Config value wanted or the text the error must contain.
type flagKeyCase struct {
	file string
	args []string
	want int
	err  string
}

// checkFlagAndKey builds the settings for each case, with server.KEY = file in a config
// file, and checks the Config value get reads, or the error.
func checkFlagAndKey(t *testing.T, key string, get func(*settings) int, cases []flagKeyCase) {
	t.Helper()
	for _, c := range cases {
		var f *config.File
		if c.file != "" {
			var err error
			f, err = config.Parse(filepath.Join(t.TempDir(), "f.toml"), []byte("[server]\n"+key+" = "+c.file+"\n"))
			if err != nil {
				if c.err == "" || !strings.Contains(err.Error(), c.err) {
					t.Errorf("%s = %s: %v", key, c.file, err)
				}
				continue
			}
		}
		st, err := buildArgs(t, c.args, f)
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s = %q, %v: error %v, want one naming %q", key, c.file, c.args, err, c.err)
			}
		case err != nil:
			t.Errorf("%s = %q, %v: %v", key, c.file, c.args, err)
		case get(st) != c.want:
			t.Errorf("%s = %q, %v: Config value %d, want %d", key, c.file, c.args, get(st), c.want)
		}
	}
}

// TestNotSentLowatFlagDefault: without --data-notsent-lowat the library's default applies
// (Config 0: 64 KiB on the data loops' downloads only); "auto" says the same, "0" turns it
// off everywhere (-1) and a size sets every download socket. The flag's own default once
// read as "0" and turned the data loops' limit off in every fastftpd.
func TestNotSentLowatFlagDefault(t *testing.T) {
	for _, c := range []struct {
		args []string
		want int
	}{
		{nil, 0},
		{[]string{"--data-notsent-lowat", "auto"}, 0},
		{[]string{"--data-notsent-lowat", "0"}, -1},
		{[]string{"--data-notsent-lowat", "128K"}, 128 << 10},
	} {
		st, err := buildArgs(t, c.args, nil)
		if err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		if st.cfg.DataNotSentLowat != c.want {
			t.Errorf("%v: Config.DataNotSentLowat %d, want %d", c.args, st.cfg.DataNotSentLowat, c.want)
		}
	}
}

// buildArgs parses args as the command line and builds the settings over f (nil: no
// config file), marking the flags given as run does.
func buildArgs(t *testing.T, args []string, f *config.File) (*settings, error) {
	t.Helper()
	o := options{set: map[string]bool{}}
	fs := flagSet(&o, io.Discard)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	fs.Visit(func(fl *flag.Flag) { o.set[fl.Name] = true })
	return build(&o, f)
}

// TestDataWritersFlagAndKey: --data-writers and server.data_writers reach
// Config.DataWriters (the flag over the key only when given); 0, the default, leaves the
// uploads to the loops; negative and absurd counts are refused, naming the flag or key.
func TestDataWritersFlagAndKey(t *testing.T) {
	checkFlagAndKey(t, "data_writers", func(st *settings) int { return st.cfg.DataWriters }, []flagKeyCase{
		{"", nil, 0, ""},
		{"", []string{"--data-writers", "4"}, 4, ""},
		{"2", nil, 2, ""},
		{"2", []string{"--data-writers", "0"}, 0, ""},
		{"2", []string{"--data-loops", "1"}, 2, ""},
		{"", []string{"--data-writers", "-1"}, 0, "--data-writers"},
		{"-1", nil, 0, "server.data_writers"},
		{"100000", nil, 0, "server.data_writers"},
		{`"many"`, nil, 0, "data_writers"},
	})
}
