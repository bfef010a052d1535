//go:build !linux

package session

import (
	"github.com/fastftp/fastftp/internal/filecache"
	"github.com/fastftp/fastftp/vfs"
)

// pathVersion: the open-file cache keeps nothing off Linux (filecache.VersionOf).
func pathVersion(*vfs.Local, string) (filecache.Version, bool) { return filecache.Version{}, false }
