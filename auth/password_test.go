// Tests of password verification: plaintext, bcrypt, argon2id.
package auth

import (
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestVerifyPlain(t *testing.T) {
	if !VerifyPassword("s3cret", "s3cret") || VerifyPassword("s3cret", "s3cre") ||
		VerifyPassword("s3cret", "s3cret ") || VerifyPassword("s3cret", "") {
		t.Error("plaintext comparison is wrong")
	}
	if !VerifyPassword("", "") {
		t.Error("empty plaintext password should match the empty password")
	}
}

func TestVerifyBcrypt(t *testing.T) {
	h, err := bcrypt.GenerateFromPassword([]byte("pw"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	for _, prefix := range []string{"$2a$", "$2b$", "$2y$"} {
		hash := prefix + string(h[4:])
		if !VerifyPassword(hash, "pw") || VerifyPassword(hash, "pW") {
			t.Errorf("bcrypt %s: wrong result", prefix)
		}
	}
	if VerifyPassword("$2a$garbage", "$2a$garbage") {
		t.Error("a malformed bcrypt hash matched its own text")
	}
}

func TestHashPasswordArgon2id(t *testing.T) {
	h, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !re.MatchString(h) {
		t.Fatalf("HashPassword = %q, not a PHC argon2id string", h)
	}
	if !VerifyPassword(h, "correct horse") || VerifyPassword(h, "correct horsE") {
		t.Error("argon2id verification is wrong")
	}
	h2, _ := HashPassword("correct horse")
	if h2 == h {
		t.Error("two hashes share a salt")
	}
	parts := strings.Split(h, "$")
	for _, bad := range []string{
		strings.Replace(h, "v=19", "v=16", 1),
		strings.Replace(h, "m=19456", "m=99999999", 1),
		strings.Replace(h, "t=2", "t=0", 1),
		"$argon2id$v=19$m=19456,t=2,p=1$" + parts[4],
		"$argon2id$v=19$m=19456,t=2,p=1$!!!$" + parts[5],
		h[:len(h)-2] + "AA",
	} {
		if VerifyPassword(bad, "correct horse") {
			t.Errorf("tampered hash %q verified", bad)
		}
	}
}

// TestArgon2idInterop checks a hash made by the reference C implementation:
// echo -n password | argon2 somesalt12345678 -id -t 2 -m 12 -p 2 -l 32 -e
func TestArgon2idInterop(t *testing.T) {
	const h = "$argon2id$v=19$m=4096,t=2,p=2$c29tZXNhbHQxMjM0NTY3OA$ISKVZMG6DmWi7q0pFMrxJ3hTqst6M3nqTb/bcUP0648"
	if !VerifyPassword(h, "password") {
		t.Error("reference argon2id hash did not verify")
	}
	if VerifyPassword(h, "passwore") {
		t.Error("reference argon2id hash verified a wrong password")
	}
}
