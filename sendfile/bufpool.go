// Pooled copy buffers for the buffer path, in power-of-two size classes so that any Chunk
// reuses buffers of its own size.

package sendfile

import (
	"math/bits"
	"sync"
)

const (
	minBufShift = 12                                // 4 KiB: the smallest class
	maxBufShift = 25                                // 32 MiB: 2*MaxChunk, the ASCII Send output
	bufClasses  = maxBufShift - minBufShift + 1     // number of pools
	_           = uint(1<<maxBufShift - 2*MaxChunk) // compile-time check: 2*MaxChunk fits
)

// bufPools[i] holds *[]byte of exactly 1<<(i+minBufShift) bytes. Pointers, so that Put
// does not allocate.
var bufPools [bufClasses]sync.Pool

// getBuf returns a buffer of len n (1 <= n <= 2*MaxChunk) from the pool. It is safe from
// any goroutine; the buffer belongs to the caller until putBuf.
func getBuf(n int) *[]byte {
	shift := max(bits.Len(uint(n-1)), minBufShift)
	if v := bufPools[shift-minBufShift].Get(); v != nil {
		b := v.(*[]byte)
		*b = (*b)[:n]
		return b
	}
	b := make([]byte, n, 1<<shift)
	return &b
}

// putBuf returns b to its pool; the caller must not use b afterwards.
func putBuf(b *[]byte) {
	shift := bits.Len(uint(cap(*b) - 1))
	if shift < minBufShift || shift > maxBufShift || cap(*b) != 1<<shift {
		return
	}
	bufPools[shift-minBufShift].Put(b)
}
