// lookup.go: command name -> Verb through a perfect hash over the packed name, no strings.

package proto

// Names are 3 to 7 ASCII letters and digits (the legacy XSHA1 XSHA256 XSHA512 are the only
// ones past 4 bytes or with digits), so an upper-cased name packs big-endian into a uint64
// whose unused low bytes are 0: names of different lengths never share a key. A
// multiplicative hash of that key indexes a 128-slot table; the multiplier was found by
// search so that every verb and alias (HOST, CLNT and AVBL included) lands in its own slot,
// and init panics if the table ever stops being perfect (as the Go compiler's keyword table does). The slot stores the
// full key, so a name that is not a verb is rejected by one comparison.
const (
	hashBits = 7
	hashMul  = 0x69ca26e18e15d773
)

type hashSlot struct {
	key  uint64
	verb Verb
}

var verbHash [1 << hashBits]hashSlot

func hashKey(key uint64) uint64 { return (key * hashMul) >> (64 - hashBits) }

// packName returns the upper-cased name packed big-endian into a uint64, and false when the
// name is not 3 to MaxVerbLen ASCII letters and digits starting with a letter.
func packName(name []byte) (uint64, bool) {
	if len(name) < 3 || len(name) > MaxVerbLen {
		return 0, false
	}
	var key uint64
	for i, c := range name {
		if c < '0' || c > '9' || i == 0 {
			c &^= 0x20 // ASCII upper case; only meaningful for letters, checked next
			if c < 'A' || c > 'Z' {
				return 0, false
			}
		}
		key = key<<8 | uint64(c)
	}
	return key << (8 * (8 - len(name))), true // left-aligned: unused low bytes stay 0
}

func packString(s string) uint64 {
	key, ok := packName([]byte(s))
	if !ok {
		panic("proto: verb name is not 3-7 letters or digits: " + s)
	}
	return key
}

func addHash(name string, v Verb) {
	key := packString(name)
	slot := &verbHash[hashKey(key)]
	if slot.key != 0 {
		panic("proto: imperfect hash: " + name + " collides with " + slot.verb.String())
	}
	*slot = hashSlot{key: key, verb: v}
}

func init() {
	for v := Verb(1); v < NumVerbs; v++ {
		addHash(verbTable[v].name, v)
	}
	for _, a := range aliases {
		addHash(a.name, a.verb)
	}
}

// Lookup returns the verb for a command name, case-insensitively (ASCII), or Unknown. It
// does not retain name and allocates nothing. Safe from any goroutine.
func Lookup(name []byte) Verb {
	key, ok := packName(name)
	if !ok {
		return Unknown
	}
	slot := &verbHash[hashKey(key)]
	if slot.key != key {
		return Unknown
	}
	return slot.verb
}
