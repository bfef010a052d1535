// hashkey_windows.go: the checksum cache identifies a file version on Windows by what
// the open handle reports: volume serial number and file index (the device and inode of
// NTFS), size, last-write and change times. os's FileInfo carries neither the index nor
// the change time, so they are asked of the handle.

package session

import (
	"io/fs"
	"os"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/fastftp/fastftp/internal/hashcache"
	"github.com/fastftp/fastftp/vfs"
)

// fileBasicInfo is FILE_BASIC_INFO (times in 100 ns units since 1601).
type fileBasicInfo struct {
	CreationTime, LastAccessTime, LastWriteTime, ChangeTime int64
	FileAttributes                                          uint32
}

// hashKey builds the cache key from the open file's handle; a File that is not an
// *os.File (an embedder's FS), or a handle that cannot say, is not cached. The 64-bit
// file index is unique on NTFS; on ReFS it may not be, but a collision would also need
// the same volume, size and both times to the 100 ns.
func hashKey(f vfs.File, fi fs.FileInfo, a hashAlgo, start, end int64) (hashcache.Key, bool) {
	of, ok := f.(*os.File)
	if !ok {
		return hashcache.Key{}, false
	}
	h := windows.Handle(of.Fd())
	var id windows.ByHandleFileInformation
	var bi fileBasicInfo
	if windows.GetFileInformationByHandle(h, &id) != nil ||
		windows.GetFileInformationByHandleEx(h, windows.FileBasicInfo, (*byte)(unsafe.Pointer(&bi)), uint32(unsafe.Sizeof(bi))) != nil {
		return hashcache.Key{}, false
	}
	return hashcache.Key{
		Dev: uint64(id.VolumeSerialNumber), Ino: uint64(id.FileIndexHigh)<<32 | uint64(id.FileIndexLow),
		Size: fi.Size(), Mtime: unixNano(bi.LastWriteTime), Ctime: unixNano(bi.ChangeTime),
		Start: start, End: end, Algo: uint8(a),
	}, true
}

// unixNano converts a FILETIME count (100 ns since 1601) to the nanoseconds since 1970
// that hashcache.Key holds.
func unixNano(ft int64) int64 { return (ft - 116444736000000000) * 100 }
