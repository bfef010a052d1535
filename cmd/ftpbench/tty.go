// Terminal detection for the progress line, without a dependency. The ioctl that reads
// the termios differs by system: tty_linux.go (TCGETS) and tty_bsd.go (TIOCGETA).

package main

import (
	"encoding/json"
	"os"

	"golang.org/x/sys/unix"
)

func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), ioctlGetTermios)
	return err == nil
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }
