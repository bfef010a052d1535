// Masking the password in the command line a report records: --json files are kept as CI
// artifacts, and the password must not travel with them.

package main

import "strings"

// passwordFlags are every spelling of the password flag, without dashes.
var passwordFlags = []string{"p", "pass", "password"}

// maskPassword returns a copy of args with the value of every password flag replaced by
// "***": "-p x", "--pass x", "--password=x" and the like. Arguments after "--" are not
// flags and are left alone.
func maskPassword(args []string) []string {
	out := append([]string(nil), args...)
	for i := 0; i < len(out); i++ {
		a := out[i]
		if a == "--" {
			break
		}
		if !strings.HasPrefix(a, "-") {
			continue
		}
		name, _, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !isPasswordFlag(name) {
			continue
		}
		if hasVal {
			out[i] = a[:strings.IndexByte(a, '=')+1] + "***"
		} else if i+1 < len(out) {
			i++
			out[i] = "***"
		}
	}
	return out
}

func isPasswordFlag(name string) bool {
	for _, p := range passwordFlags {
		if name == p {
			return true
		}
	}
	return false
}
