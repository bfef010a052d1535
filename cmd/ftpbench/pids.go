// -k PID: one or several server processes. `-k "$(pgrep -f myftpd)"` prints one PID a line,
// and two under `go run` (the go command and the server it built), so the value may hold
// several PIDs separated by spaces, commas or newlines, and -k may be repeated.

package main

import (
	"fmt"
	"strconv"
	"strings"
)

type pidsFlag struct{ pids *[]int }

func (p pidsFlag) String() string {
	if p.pids == nil {
		return ""
	}
	var s []string
	for _, v := range *p.pids {
		s = append(s, strconv.Itoa(v))
	}
	return strings.Join(s, ",")
}

func (p pidsFlag) Set(v string) error {
	fields := strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r' })
	if len(fields) == 0 {
		return fmt.Errorf("no PID in %q", v)
	}
	for _, f := range fields {
		n, err := strconv.Atoi(f)
		if err != nil || n <= 0 {
			return fmt.Errorf("%q is not a PID", f)
		}
		*p.pids = append(*p.pids, n)
	}
	return nil
}
