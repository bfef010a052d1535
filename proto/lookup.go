// lookup.go: command name -> Verb through a perfect hash over the packed name, no strings.

package proto

// Names are 3 or 4 ASCII letters, so an upper-cased name packs into a uint32 (a 3-letter
// name leaves the low byte 0 and can never equal a 4-letter one). A multiplicative hash of
// that key indexes a 128-slot table; the multiplier was found by search so that every verb
// and alias lands in its own slot, and init panics if the table ever stops being perfect
// (as the Go compiler's keyword table does). The slot stores the full key, so a name that
// is not a verb is rejected by one comparison.
const (
	hashBits = 7
	hashMul  = 0xc01422f7
)

type hashSlot struct {
	key  uint32
	verb Verb
}

var verbHash [1 << hashBits]hashSlot

func hashKey(key uint32) uint32 { return (key * hashMul) >> (32 - hashBits) }

// packName returns the upper-cased name packed big-endian into a uint32, and false when the
// name is not 3-4 ASCII letters.
func packName(name []byte) (uint32, bool) {
	if len(name) < 3 || len(name) > MaxVerbLen {
		return 0, false
	}
	var key uint32
	for i := 0; i < MaxVerbLen; i++ {
		key <<= 8
		if i < len(name) {
			c := name[i] &^ 0x20 // ASCII upper case; only meaningful for letters, checked next
			if c < 'A' || c > 'Z' {
				return 0, false
			}
			key |= uint32(c)
		}
	}
	return key, true
}

func packString(s string) uint32 {
	key, ok := packName([]byte(s))
	if !ok {
		panic("proto: verb name is not 3-4 letters: " + s)
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
