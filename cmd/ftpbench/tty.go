// Terminal detection for the progress line, without a dependency. The check differs by
// system: tty_unix.go reads the termios with an ioctl whose request tty_linux.go (TCGETS)
// and tty_bsd.go (TIOCGETA) name; tty_windows.go asks for the console mode.

package main

import "encoding/json"

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }
