//go:build !unix

package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
)

var errNoWorkers = errors.New("--workers above 1 needs a unix system (inherited sockets, shared memory)")

func listenFor(addr, from string) (net.Listener, error) { return bind(addr, from) }

func joinWorkers(st *settings, log *slog.Logger) (*slog.Logger, error) { return log, errNoWorkers }

func followSupervisor() {}

func supervise(st *settings, log *slog.Logger, stderr io.Writer) int {
	fmt.Fprintln(stderr, "fastftpd:", errNoWorkers)
	return 2
}
