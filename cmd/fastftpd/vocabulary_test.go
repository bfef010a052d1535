package main

import (
	"flag"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/fastftp/fastftp/config"
)

// TestOneVocabulary walks the flag set and the config file's keys: every flag names the
// key it sets (or is one of the commands --config, --check-config, --version), every key
// is set by a flag (but the [[host]] tables: file only), and the user tables are covered
// by -u/-P/-w/-d. A flag or key added on
// one side only fails here.
func TestOneVocabulary(t *testing.T) {
	var o options
	fs := flagSet(&o, io.Discard)
	keys := config.Keys()
	covered := map[string]bool{}
	fs.VisitAll(func(f *flag.Flag) {
		if len(f.Name) == 1 {
			return // the short form of a long flag, checked there
		}
		key, ok := keyOf[f.Name]
		switch {
		case !ok:
			t.Errorf("flag --%s has no config key (add it to the file and to keyOf in flags.go)", f.Name)
		case key == userKeys:
			for _, k := range keys {
				for _, table := range strings.Split(userKeys, ", ") {
					if strings.HasPrefix(k, table+".") {
						covered[k] = true
					}
				}
			}
		case key != "":
			if !slices.Contains(keys, key) {
				t.Errorf("flag --%s names key %q, which the file does not have", f.Name, key)
			}
			covered[key] = true
		}
	})
	for name := range keyOf {
		if fs.Lookup(name) == nil {
			t.Errorf("keyOf names flag --%s, which does not exist", name)
		}
	}
	for _, k := range keys {
		// Virtual hosts are tables of the file only: a flag per host key would have to
		// say which host, and one host is what the flags already describe.
		if !covered[k] && !strings.HasPrefix(k, "host.") {
			t.Errorf("config key %s has no flag (add one, with the same unit and meaning of 0)", k)
		}
	}
	// Durations are durations on both sides, accepting plain seconds.
	fs.VisitAll(func(f *flag.Flag) {
		if strings.HasSuffix(f.Name, "timeout") || strings.HasSuffix(f.Name, "-window") || strings.HasSuffix(f.Name, "-time") || strings.HasSuffix(f.Name, "-grace") {
			if _, ok := f.Value.(durationValue); !ok {
				t.Errorf("--%s is not a duration flag", f.Name)
			}
			if err := f.Value.Set("90"); err != nil {
				t.Errorf("--%s 90 (seconds): %v", f.Name, err)
			}
		}
	})
}
