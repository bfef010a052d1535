// Terminal detection for the progress line, without a dependency.

package main

import (
	"encoding/json"
	"os"

	"golang.org/x/sys/unix"
)

func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }
