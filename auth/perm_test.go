// Tests of permission letters and of PermFor's override rule.
package auth

import (
	"errors"
	"strings"
	"testing"
)

func TestParsePermRoundTrip(t *testing.T) {
	for in, want := range map[string]string{
		"":           "",
		ReadOnly:     "elr",
		ReadWrite:    "elradfmwMT",
		"TMwmfdarle": "elradfmwMT",
		"rle":        "elr",
		"eee":        "e",
		"wT":         "wT",
	} {
		p, err := ParsePerm(in)
		if err != nil {
			t.Fatalf("ParsePerm(%q): %v", in, err)
		}
		if got := p.String(); got != want {
			t.Errorf("ParsePerm(%q).String() = %q, want %q", in, got, want)
		}
		if q, _ := ParsePerm(p.String()); q != p {
			t.Errorf("round trip of %q: %v != %v", in, q, p)
		}
	}
	bits := []Perm{PermChdir, PermList, PermRetrieve, PermAppend, PermDelete, PermRename,
		PermMkdir, PermStore, PermChmod, PermMtime}
	for i, b := range bits {
		if p, _ := ParsePerm(ReadWrite[i : i+1]); p != b {
			t.Errorf("letter %q = %v, want bit %d", ReadWrite[i], p, i)
		}
	}
}

func TestParsePermBadLetters(t *testing.T) {
	for in, bad := range map[string]string{"x": "x", "elrz": "z", "E": "E", "elr ": " ", "t": "t", "W": "W"} {
		_, err := ParsePerm(in)
		if !errors.Is(err, ErrBadPerm) || !strings.Contains(err.Error(), `"`+bad+`"`) {
			t.Errorf("ParsePerm(%q) = %v, want ErrBadPerm naming %q", in, err, bad)
		}
	}
}

func TestHas(t *testing.T) {
	rw := MustParsePerm(ReadWrite)
	ro := MustParsePerm(ReadOnly)
	if !rw.Has(ro) || ro.Has(rw) || !ro.Has(PermList|PermRetrieve) || ro.Has(PermStore) || !ro.Has(0) {
		t.Error("Has is wrong")
	}
}

func TestPermFor(t *testing.T) {
	u := &User{
		Perm: MustParsePerm("elr"),
		Override: []Override{
			{Dir: "/", Perm: MustParsePerm("e")},                                     // root and its entries
			{Dir: "/pub", Perm: MustParsePerm("elrw")},                               // not recursive
			{Dir: "/in", Perm: MustParsePerm("elw"), Recursive: true},                // whole tree
			{Dir: "/in/secret", Perm: MustParsePerm("e")},                            // more specific
			{Dir: "/in/deep/er", Perm: MustParsePerm("elradfmwMT"), Recursive: true}, // deeper
			{Dir: "/pubx", Perm: MustParsePerm("d")},                                 // not a prefix of /pub/...
		},
	}
	for vpath, want := range map[string]string{
		"/":                   "e",    // the directory itself
		"/file":               "e",    // an entry of /
		"/other/file":         "elr",  // below /, not recursive: default
		"/pub":                "elrw", // the directory itself
		"/pub/file":           "elrw", // an entry
		"/pub/sub":            "elrw", // a subdirectory is an entry too (path-only rule)
		"/pub/sub/file":       "elr",  // below an entry: default
		"/pubx/file":          "d",
		"/in":                 "elw",
		"/in/a/b/c":           "elw",
		"/in/secret":          "e",
		"/in/secret/file":     "e",   // entry of the more specific override
		"/in/secret/sub/file": "elw", // not recursive: back to /in's recursive override
		"/in/deep/er/x/y":     "elradfmwMT",
		"/in/deep":            "elw",
	} {
		if got := u.PermFor(vpath).String(); got != want {
			t.Errorf("PermFor(%q) = %q, want %q", vpath, got, want)
		}
	}
	if !u.Has("/pub/f", PermStore) || u.Has("/pub/sub/f", PermStore) {
		t.Error("User.Has disagrees with PermFor")
	}
	plain := &User{Perm: MustParsePerm(ReadWrite)}
	if plain.PermFor("/any/where") != plain.Perm {
		t.Error("no overrides: want the default")
	}
}

// TestPermForFoldsCase: where the file systems ignore case (Windows, macOS), /PRIVATE is
// /private, so a restriction on /private holds through any spelling; elsewhere the bytes
// must match (on Linux /PRIVATE is another directory).
func TestPermForFoldsCase(t *testing.T) {
	u := &User{
		Perm: MustParsePerm("elrw"),
		Override: []Override{
			{Dir: "/private", Perm: MustParsePerm("e")},
			{Dir: "/in", Perm: MustParsePerm("e"), Recursive: true},
		},
	}
	defer func(was bool) { foldCase = was }(foldCase)
	for _, fold := range []bool{true, false} {
		foldCase = fold
		for vpath, want := range map[string][2]string{ // [folding, byte-exact]
			"/private/x": {"e", "e"},
			"/PRIVATE/x": {"e", "elrw"},
			"/Private":   {"e", "elrw"},
			"/IN/a/b":    {"e", "elrw"},
			"/iN":        {"e", "elrw"},
		} {
			w := want[1]
			if fold {
				w = want[0]
			}
			if got := u.PermFor(vpath).String(); got != w {
				t.Errorf("fold=%v: PermFor(%q) = %q, want %q", fold, vpath, got, w)
			}
		}
	}
}
