//go:build !race

// Allocation gate: permission checks run on every command and must not allocate.
package auth

import (
	"context"
	"testing"
)

func TestZeroAllocs(t *testing.T) {
	u := &User{Perm: MustParsePerm(ReadOnly), Override: []Override{
		{Dir: "/pub", Perm: MustParsePerm("elrw")},
		{Dir: "/in", Perm: MustParsePerm("elw"), Recursive: true},
	}}
	s := NewStatic()
	if err := s.AddUser("u", "p", t.TempDir(), MustParsePerm(ReadOnly)); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var buf [16]byte
	for name, fn := range map[string]func(){
		"PermFor":       func() { _ = u.PermFor("/in/a/b/c") },
		"User.Has":      func() { _ = u.Has("/pub/file", PermStore) },
		"ParsePerm":     func() { _, _ = ParsePerm(ReadWrite) },
		"AppendLetters": func() { _ = u.Perm.AppendLetters(buf[:0]) },
		"Authenticate":  func() { _, _ = s.Authenticate(ctx, "u", "p", loopback) },
	} {
		if n := testing.AllocsPerRun(100, fn); n != 0 {
			t.Errorf("%s: %v allocs per run, want 0", name, n)
		}
	}
}
