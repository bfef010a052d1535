// verbs_test.go: the verb table, its flags and the perfect-hash lookup.

package proto

import (
	"strings"
	"testing"
)

func allNames() map[string]Verb {
	m := make(map[string]Verb)
	for v := Verb(1); v < NumVerbs; v++ {
		m[v.String()] = v
	}
	for _, a := range aliases {
		m[a.name] = a.verb
	}
	return m
}

func TestVerbRoundTrip(t *testing.T) {
	for v := Verb(1); v < NumVerbs; v++ {
		name := v.String()
		if name == "" || strings.ToUpper(name) != name {
			t.Fatalf("verb %d has bad name %q", v, name)
		}
		for _, n := range []string{name, strings.ToLower(name), strings.ToLower(name[:1]) + name[1:]} {
			if got := Lookup([]byte(n)); got != v {
				t.Errorf("Lookup(%q) = %v, want %v", n, got, v)
			}
		}
		if !strings.HasPrefix(v.Help(), "Syntax: "+name) || !strings.HasSuffix(v.Help(), ".") {
			t.Errorf("%s help %q", name, v.Help())
		}
	}
	for _, a := range aliases {
		for _, n := range []string{a.name, strings.ToLower(a.name)} {
			if got := Lookup([]byte(n)); got != a.verb {
				t.Errorf("Lookup(%q) = %v, want %v", n, got, a.verb)
			}
		}
	}
	if NumVerbs != 58 {
		t.Errorf("NumVerbs = %d, want 58 (57 verbs and Unknown)", NumVerbs)
	}
	for _, v := range []Verb{Unknown, NumVerbs, 200} {
		if v.String() != "" || v.Help() != "" || v.Flags() != 0 {
			t.Errorf("verb %d: String %q Help %q Flags %b, want empty", v, v.String(), v.Help(), v.Flags())
		}
	}
}

// TestLookupPerfectHash proves that no two names share a slot and that every other
// 3- and 4-letter name (all 475,254 of them, both cases) is Unknown, and that the longer
// names and those with digits (the legacy checksum commands) are found and their near
// misses are not.
func TestLookupPerfectHash(t *testing.T) {
	names := allNames()
	used := 0
	for _, s := range verbHash {
		if s.key != 0 {
			used++
		}
	}
	if used != len(names) || used != 62 {
		t.Fatalf("hash table holds %d names, want %d (62)", used, len(names))
	}
	buf := make([]byte, 4)
	found := 0
	var try func(n int)
	try = func(n int) {
		if n >= 3 {
			want := names[string(buf[:n])]
			if got := Lookup(buf[:n]); got != want {
				t.Fatalf("Lookup(%q) = %v, want %v", buf[:n], got, want)
			}
			lower := []byte(strings.ToLower(string(buf[:n])))
			if got := Lookup(lower); got != want {
				t.Fatalf("Lookup(%q) = %v, want %v", lower, got, want)
			}
			if want != Unknown {
				found++
			}
			if n == 4 {
				return
			}
		}
		for c := byte('A'); c <= 'Z'; c++ {
			buf[n] = c
			try(n + 1)
		}
	}
	try(0)
	for name, want := range names {
		if len(name) <= 4 && !strings.ContainsAny(name, "0123456789") {
			continue // found by the walk
		}
		found++
		for _, n := range []string{name, strings.ToLower(name)} {
			if got := Lookup([]byte(n)); got != want {
				t.Fatalf("Lookup(%q) = %v, want %v", n, got, want)
			}
		}
		// Every other name of the same length that differs in one byte is Unknown.
		for i := range len(name) {
			for c := byte('0'); c <= 'Z'; c++ {
				b := []byte(name)
				if b[i] == c {
					continue
				}
				b[i] = c
				if got := Lookup(b); got != Unknown && names[string(b)] == Unknown {
					t.Fatalf("Lookup(%q) = %v, want Unknown", b, got)
				}
			}
		}
	}
	if found != len(names) {
		t.Fatalf("found %d names in the exhaustive walk, want %d", found, len(names))
	}
}

func TestLookupRejects(t *testing.T) {
	for _, n := range []string{
		"", "R", "RE", "RETRX", "RET1", "RE R", "RETR ", " RET", "RE\x00R",
		"\xd2ETR", "R\xc5TR", "[ETR", "`ETR", "RET{", "RET@", "ST0R", "USE", "PWDX", "XPW",
		"XSHA", "XSHA2", "XSHA25", "XSHA2566", "XSHA384", "XSHA1 ", "1SHA", "XSH\x11", "XSHA\x11",
	} {
		if got := Lookup([]byte(n)); got != Unknown {
			t.Errorf("Lookup(%q) = %v, want Unknown", n, got)
		}
	}
}

func TestVerbFlags(t *testing.T) {
	sets := map[Flags]string{
		ArgRequired:    "USER CWD MKD RMD DELE RNFR RNTO RETR STOR APPE REST TYPE MODE STRU PORT EPRT SIZE MDTM MFMT SITE OPTS AUTH PBSZ PROT ALLO ACCT SMNT HASH RANG XCRC XMD5 XSHA1 XSHA256 XSHA512 CLNT HOST",
		ArgNone:        "QUIT REIN PWD CDUP ABOR SYST NOOP FEAT PASV CCC",
		DataConn:       "LIST NLST MLSD RETR STOR APPE STOU",
		DuringTransfer: "ABOR STAT QUIT",
		PathArg:        "CWD MKD RMD DELE RNFR RNTO LIST NLST RETR STOR APPE STOU SIZE MDTM MLST MLSD STAT HASH XCRC XMD5 XSHA1 XSHA256 XSHA512 AVBL",
	}
	// SITE checks login per subcommand (SITE HELP works before login, as in pyftpdlib).
	// CLNT may come before USER (draft-peterson-streamlined-ftp-command-extensions).
	noLogin := " USER PASS QUIT FEAT SYST NOOP HELP OPTS AUTH PBSZ PROT CCC LANG SITE CLNT HOST "
	for v := Verb(1); v < NumVerbs; v++ {
		f := v.Flags()
		if got, want := f.Has(NeedLogin), !strings.Contains(noLogin, " "+v.String()+" "); got != want {
			t.Errorf("%s NeedLogin = %v, want %v", v, got, want)
		}
		for flag, list := range sets {
			want := strings.Contains(" "+list+" ", " "+v.String()+" ")
			if got := f&flag != 0; got != want {
				t.Errorf("%s flag %b = %v, want %v", v, flag, got, want)
			}
		}
		if f.Has(ArgRequired | ArgNone) {
			t.Errorf("%s both requires and forbids an argument", v)
		}
	}
}
