//go:build !linux

// Elsewhere the stat layouts differ: nothing is cached (Get always misses).

package filecache

import "io/fs"

// VersionOf returns false: the cache is Linux-only.
func VersionOf(fs.FileInfo) (Version, bool) { return Version{}, false }
