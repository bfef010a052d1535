// Deterministic file content from a seed, so --verify knows the expected sha256 of any
// size without storing files, and corrupted or short downloads are detected.

package ftpclient

import (
	"crypto/sha256"
	"encoding/binary"
	"io"
	"sync"
)

const contentGamma = 0x9E3779B97F4A7C15

// contentWord returns the k-th 8-byte word of the content for seed (splitmix64: a
// counter-based generator, so any offset can be produced without the bytes before it).
func contentWord(seed, k uint64) uint64 {
	z := seed + (k+1)*contentGamma
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// FillContent writes the content bytes for seed starting at offset off into dst.
// Safe from any goroutine; does not allocate.
func FillContent(dst []byte, seed uint64, off int64) {
	k := uint64(off) / 8
	if skip := int(uint64(off) % 8); skip != 0 {
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], contentWord(seed, k))
		n := copy(dst, w[skip:])
		dst = dst[n:]
		k++
	}
	for len(dst) >= 8 {
		binary.LittleEndian.PutUint64(dst, contentWord(seed, k))
		dst = dst[8:]
		k++
	}
	if len(dst) > 0 {
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], contentWord(seed, k))
		copy(dst, w[:])
	}
}

// ContentReader reads size bytes of the content for seed. Owned by one goroutine.
type ContentReader struct {
	Seed uint64
	Size int64
	Off  int64
}

// Read implements io.Reader.
func (r *ContentReader) Read(p []byte) (int, error) {
	if r.Off >= r.Size {
		return 0, io.EOF
	}
	if rem := r.Size - r.Off; int64(len(p)) > rem {
		p = p[:rem]
	}
	FillContent(p, r.Seed, r.Off)
	r.Off += int64(len(p))
	return len(p), nil
}

type contentKey struct {
	seed uint64
	size int64
}

var contentSums sync.Map // contentKey -> [32]byte

// ContentSHA256 returns the sha256 of size bytes of content for seed, computed once per
// (seed, size) and cached. Safe from any goroutine.
func ContentSHA256(seed uint64, size int64) [32]byte {
	k := contentKey{seed, size}
	if v, ok := contentSums.Load(k); ok {
		return v.([32]byte)
	}
	h := sha256.New()
	buf := make([]byte, 256<<10)
	_, _ = io.CopyBuffer(h, &ContentReader{Seed: seed, Size: size}, buf)
	var sum [32]byte
	h.Sum(sum[:0])
	contentSums.Store(k, sum)
	return sum
}
