//go:build !linux

// The data-loop engine is Linux-only: elsewhere NewEngine fails and every transfer keeps
// the goroutine path.

package transfer

import (
	"context"
	"errors"
	"net"
	"time"

	"github.com/fastftp/fastftp/sendfile"
	"github.com/fastftp/fastftp/throttle"
	"github.com/fastftp/fastftp/vfs"
)

// Engine is the data-loop engine, absent on this system: always nil.
type Engine struct{}

// NewEngine fails: the engine needs Linux.
func NewEngine(EngineConfig) (*Engine, error) {
	return nil, errors.New("the data-loop engine needs Linux")
}

func (e *Engine) Close()            {}
func (e *Engine) notSentLowat() int { return 0 }
func (e *Engine) Bytes() int64      { return 0 }

func (e *Engine) run(context.Context, net.Conn, vfs.File, string, int64, bool,
	*sendfile.Options, []*throttle.Bucket) (int64, bool, time.Duration, error) {
	return 0, false, 0, nil
}

func engineStalled(error) bool { return false }
func engineConnErr(error) bool { return false }
