//go:build !linux

// The data-loop engine is Linux-only: elsewhere Env.DataLoops is ignored and every transfer
// keeps the goroutine path.

package session

import (
	"context"
	"errors"
	"net"

	"github.com/fastftp/fastftp/sendfile"
	"github.com/fastftp/fastftp/throttle"
	"github.com/fastftp/fastftp/vfs"
)

type dataEngine struct{}

func newDataEngine(int) (*dataEngine, error) {
	return nil, errors.New("the data-loop engine needs Linux")
}

func (d *dataEngine) close()       {}
func (d *dataEngine) bytes() int64 { return 0 }

func (s *Session) onEngine(context.Context, net.Conn, vfs.File, string, int64, bool,
	*sendfile.Options, []*throttle.Bucket) (int64, bool, error) {
	return 0, false, nil
}

func engineStalled(error) bool { return false }
func engineConnErr(error) bool { return false }
