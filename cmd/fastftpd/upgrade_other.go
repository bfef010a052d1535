//go:build !unix

// Stubs where there is no SIGUSR2, no descriptor passing and no systemd: listeners are
// bound, the pid file is written, and an upgrade is a restart.

package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"time"
)

const readyEnv = "FASTFTPD_READY_FD"

const upgradeTimeout = 30 * time.Second

// upgradeSignal is nil: no signal starts an upgrade here.
var upgradeSignal os.Signal

func takeOffered() (*sockets, error) { return &sockets{readyFD: -1}, nil }

func startSuccessor(context.Context, *sockets, *slog.Logger, time.Duration) (int, error) {
	return 0, errors.New("binary upgrade needs a Unix system")
}

func announce(*settings, *slog.Logger) {}

func notifySystemd(string, *slog.Logger) {}
