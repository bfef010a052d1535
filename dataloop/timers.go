//go:build linux

// The loop's timer heap: transfers parked until a Pacer's wait is over.

package dataloop

// timerHeap is a min-heap of parked jobs by due time, with each job's index kept in the
// job so a cancelled job can be removed in O(log n). Loop-owned.
type timerHeap []*job

func (h *timerHeap) push(x *job, due int64) {
	x.due = due
	x.timerIdx = len(*h)
	*h = append(*h, x)
	h.up(x.timerIdx)
}

// peek returns the earliest job, or nil.
func (h timerHeap) peek() *job {
	if len(h) == 0 {
		return nil
	}
	return h[0]
}

// remove takes x off the heap (x must be on it).
func (h *timerHeap) remove(x *job) {
	i, last := x.timerIdx, len(*h)-1
	if i != last {
		h.swap(i, last)
	}
	(*h)[last] = nil
	*h = (*h)[:last]
	x.timerIdx = -1
	if i != last {
		h.down(i)
		h.up(i)
	}
}

func (h timerHeap) swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].timerIdx, h[j].timerIdx = i, j
}

func (h timerHeap) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if h[p].due <= h[i].due {
			return
		}
		h.swap(i, p)
		i = p
	}
}

func (h timerHeap) down(i int) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && h[r].due < h[l].due {
			m = r
		}
		if h[i].due <= h[m].due {
			return
		}
		h.swap(i, m)
		i = m
	}
}
