// hash.go: verifying crypt(3) hashes from the shadow file.

package sysauth

import (
	"strings"
	"sync"

	"github.com/GehirnInc/crypt"
	_ "github.com/GehirnInc/crypt/md5_crypt"    // registers "$1$"
	_ "github.com/GehirnInc/crypt/sha256_crypt" // registers "$5$"
	_ "github.com/GehirnInc/crypt/sha512_crypt" // registers "$6$"
	"golang.org/x/crypto/bcrypt"
)

// verify checks pass against a crypt(3) hash. scheme is non-empty, naming the scheme,
// when the hash cannot be verified here (then ok is false).
func verify(hash, pass string) (ok bool, scheme string) {
	switch {
	case strings.HasPrefix(hash, "$2a$"), strings.HasPrefix(hash, "$2b$"), strings.HasPrefix(hash, "$2y$"):
		return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pass)) == nil, ""
	case strings.HasPrefix(hash, "$6$"), strings.HasPrefix(hash, "$5$"), strings.HasPrefix(hash, "$1$"):
		return crypt.NewFromHash(hash).Verify(hash, []byte(pass)) == nil, ""
	}
	return false, schemeName(hash)
}

// schemeName names an unsupported hash for the log.
func schemeName(hash string) string {
	if !strings.HasPrefix(hash, "$") {
		return "traditional DES crypt"
	}
	id, _, _ := strings.Cut(hash[1:], "$")
	switch id {
	case "y":
		return "yescrypt ($y$)"
	case "gy":
		return "gost-yescrypt ($gy$)"
	case "7":
		return "scrypt ($7$)"
	}
	return "$" + id + "$"
}

// dummyVerify spends about what verifying a default SHA-512 hash costs, so a refused or
// unknown account answers no faster than a wrong password.
func dummyVerify(pass string) {
	verify(dummyHash(), pass)
}

var dummyHash = sync.OnceValue(func() string {
	h, err := crypt.SHA512.New().Generate([]byte("no such account"), nil)
	if err != nil {
		return "$6$"
	}
	return h
})
