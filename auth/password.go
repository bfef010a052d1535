// Passwords: plaintext compared in constant time, bcrypt, and argon2id PHC strings.

package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// Parameters of HashPassword: OWASP's minimum for argon2id (19 MiB, 2 passes, 1 lane).
// Each verification holds Memory KiB for its duration.
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonSaltLen = 16
	argonKeyLen  = 32
)

// Bounds on parameters read from a hash, so a bad configuration cannot make one login
// take gigabytes or minutes.
const (
	maxArgonMemory  = 1 << 20 // KiB: 1 GiB
	maxArgonTime    = 64
	maxArgonThreads = 64
)

// HashPassword returns an argon2id PHC string for plain:
// "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>" (unpadded standard base64), as written
// by `fastftpd passwd`. Safe from any goroutine; CPU- and memory-heavy (~19 MiB).
func HashPassword(plain string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	h := argonHash{memory: argonMemory, time: argonTime, threads: argonThreads, salt: salt}
	h.key = argon2.IDKey([]byte(plain), salt, h.time, h.memory, h.threads, argonKeyLen)
	return h.String(), nil
}

// VerifyPassword reports whether plain matches hashOrPlain, which is a bcrypt hash
// ("$2a$", "$2b$", "$2y$"), an argon2id PHC string ("$argon2id$"), or else a plaintext
// password compared in constant time. A malformed hash matches nothing. Safe from any
// goroutine.
func VerifyPassword(hashOrPlain, plain string) bool {
	s, err := parseSecret(hashOrPlain)
	if err != nil {
		return false
	}
	return s.verify(plain)
}

// secretKind tells how a stored password is checked.
type secretKind uint8

const (
	kindPlain secretKind = iota
	kindBcrypt
	kindArgon2id
)

// secret is a parsed stored password. Immutable; safe from any goroutine.
type secret struct {
	kind   secretKind
	sum    [sha256.Size]byte // kindPlain: SHA-256 of the password, compared in constant time
	bcrypt []byte            // kindBcrypt: the hash
	argon  argonHash         // kindArgon2id
}

// parseSecret classifies and validates a stored password. A string that looks like a
// hash but does not parse is an error, never a plaintext password.
func parseSecret(s string) (secret, error) {
	switch {
	case strings.HasPrefix(s, "$2a$"), strings.HasPrefix(s, "$2b$"), strings.HasPrefix(s, "$2y$"):
		if _, err := bcrypt.Cost([]byte(s)); err != nil {
			return secret{}, ErrBadHash
		}
		return secret{kind: kindBcrypt, bcrypt: []byte(s)}, nil
	case strings.HasPrefix(s, "$argon2id$"):
		h, ok := parseArgon(s)
		if !ok {
			return secret{}, ErrBadHash
		}
		return secret{kind: kindArgon2id, argon: h}, nil
	}
	return secret{kind: kindPlain, sum: sha256.Sum256([]byte(s))}, nil
}

// verify checks plain. Plaintext is hashed first so the comparison's time depends on
// neither password's length.
func (s *secret) verify(plain string) bool {
	switch s.kind {
	case kindBcrypt:
		return bcrypt.CompareHashAndPassword(s.bcrypt, []byte(plain)) == nil
	case kindArgon2id:
		h := &s.argon
		key := argon2.IDKey([]byte(plain), h.salt, h.time, h.memory, h.threads, uint32(len(h.key)))
		return subtle.ConstantTimeCompare(key, h.key) == 1
	}
	sum := sha256.Sum256([]byte(plain))
	return subtle.ConstantTimeCompare(sum[:], s.sum[:]) == 1
}

// argonHash is a parsed argon2id PHC string.
type argonHash struct {
	memory    uint32 // KiB
	time      uint32
	threads   uint8
	salt, key []byte
}

func (h *argonHash) String() string {
	b := make([]byte, 0, 96)
	b = append(b, "$argon2id$v=19$m="...)
	b = strconv.AppendUint(b, uint64(h.memory), 10)
	b = append(b, ",t="...)
	b = strconv.AppendUint(b, uint64(h.time), 10)
	b = append(b, ",p="...)
	b = strconv.AppendUint(b, uint64(h.threads), 10)
	b = append(b, '$')
	b = base64.RawStdEncoding.AppendEncode(b, h.salt)
	b = append(b, '$')
	b = base64.RawStdEncoding.AppendEncode(b, h.key)
	return string(b)
}

// parseArgon parses "$argon2id$v=19$m=M,t=T,p=P$salt$hash" with bounded parameters.
func parseArgon(s string) (argonHash, bool) {
	var h argonHash
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v=19" {
		return h, false
	}
	params := strings.Split(parts[3], ",")
	if len(params) != 3 {
		return h, false
	}
	m, okM := param(params[0], "m=", maxArgonMemory)
	t, okT := param(params[1], "t=", maxArgonTime)
	p, okP := param(params[2], "p=", maxArgonThreads)
	if !okM || !okT || !okP || t < 1 || p < 1 || m < 8*p {
		return h, false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(strings.TrimRight(parts[4], "="))
	key, err2 := base64.RawStdEncoding.DecodeString(strings.TrimRight(parts[5], "="))
	if err1 != nil || err2 != nil || len(salt) < 8 || len(key) < 16 || len(key) > 1024 {
		return h, false
	}
	h = argonHash{memory: uint32(m), time: uint32(t), threads: uint8(p), salt: salt, key: key}
	return h, true
}

// param parses "<prefix><decimal>" no larger than limit.
func param(s, prefix string, limit uint64) (uint64, bool) {
	v, ok := strings.CutPrefix(s, prefix)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(v, 10, 32)
	return n, err == nil && n <= limit
}
