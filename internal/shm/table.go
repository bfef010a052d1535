// table.go: the open-addressing hash table shared by the source, ban and user tables:
// entries of a fixed size starting with a 16-byte key and a uint32 state (0: free),
// linear probing, backward-shift deletion.

package shm

// region is where one table lives in the mapping.
type region struct {
	off, size, cap int // first entry's offset, bytes per entry, entries (a power of two)
	used           int // header offset of the int32 count of used entries (-1: none)
}

const (
	entKey   = 0
	entState = 16
)

func (r *region) entry(i int) int { return r.off + i*r.size }

// find returns the offset of k's entry, or of the free slot where it belongs. Tables
// that delete are never full (3/4 at most), so a free slot ends every probe.
func (r *region) find(t *Table, k *[16]byte, h uint64) (off int, found bool) {
	for i := int(h & uint64(r.cap-1)); ; i = (i + 1) & (r.cap - 1) {
		e := r.entry(i)
		if t.u32(e+entState).Load() == 0 {
			return e, false
		}
		if *t.key(e + entKey) == *k {
			return e, true
		}
	}
}

// insert claims the free slot at off (from find) for k.
func (r *region) insert(t *Table, off int, k *[16]byte) {
	*t.key(off + entKey) = *k
	t.u32(off + entState).Store(1)
	*t.i32(r.used)++
}

// delete empties the entry at off, moving later entries of its probe run back so that
// every key stays reachable from its home slot (backward-shift deletion).
func (r *region) delete(t *Table, off int) {
	*t.i32(r.used)--
	i := (off - r.off) / r.size
	for j := i; ; {
		j = (j + 1) & (r.cap - 1)
		ej := r.entry(j)
		if t.u32(ej+entState).Load() == 0 {
			break
		}
		home := int(hash16(t.key(ej+entKey)) & uint64(r.cap-1))
		// The entry at j may fill the hole at i unless its home lies cyclically in (i, j].
		if (i <= j && i < home && home <= j) || (i > j && (i < home || home <= j)) {
			continue
		}
		copy(t.mem[r.entry(i):][:r.size], t.mem[ej:][:r.size])
		i = j
	}
	clear(t.mem[r.entry(i):][:r.size])
}

// rebuild keeps only the entries keep accepts, reinserting them (one pass over the table).
func (r *region) rebuild(t *Table, keep func(e int) bool) {
	var live [][]byte
	for i := range r.cap {
		e := r.entry(i)
		if t.u32(e+entState).Load() == 0 {
			continue
		}
		if keep(e) {
			live = append(live, append([]byte(nil), t.mem[e:e+r.size]...))
		}
		clear(t.mem[e : e+r.size])
	}
	*t.i32(r.used) = int32(len(live))
	for _, b := range live {
		k := (*[16]byte)(b[entKey:])
		e, _ := r.find(t, k, hash16(k))
		copy(t.mem[e:e+r.size], b)
	}
}

// full reports whether the table is 3/4 full (a deleting table takes no more keys).
func (r *region) full(t *Table) bool { return int(*t.i32(r.used)) >= r.cap*3/4 }
