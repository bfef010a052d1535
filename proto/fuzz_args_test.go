// Fuzz targets for the argument parsers: MFMT/MDTM times, EPSV, TYPE, OPTS MLST facts,
// and the encoders a fuzzed name reaches (LIST and MLSx lines). Each checks a property, not
// only the absence of panics.

package proto

import (
	"bytes"
	"io/fs"
	"testing"
	"time"
)

func FuzzParseTimeVal(f *testing.F) {
	for _, s := range []string{"20250102150405", "20250102150405.123", "19700101000000", "20241231235960",
		"20250230120000", "2025010215040", "2025010215040x", "20250102150405.", "99991231235959.999999999999"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tm, err := ParseTimeVal(data)
		if err != nil {
			if err != ErrSyntax {
				t.Fatalf("%q: unexpected error %v", data, err)
			}
			return
		}
		if tm.Location() != time.UTC {
			t.Fatalf("%q parsed in %v, want UTC", data, tm.Location())
		}
		// The seconds part round-trips (a leap second normalises to the next minute).
		if back, err := ParseTimeVal([]byte(tm.Format("20060102150405"))); err != nil || !back.Equal(tm.Truncate(time.Second)) {
			t.Fatalf("%q -> %v: round trip %v, %v", data, tm, back, err)
		}
	})
}

func FuzzParseEPSV(f *testing.F) {
	for _, s := range []string{"", "ALL", "all", " 1 ", "2", "3", "65536", "1x", "-1", "AL"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		all, np, err := ParseEPSV(data)
		switch {
		case err == ErrUnsupported:
			if all || np != 0 {
				t.Fatalf("%q: %v %v with ErrUnsupported", data, all, np)
			}
		case err != nil:
			if err != ErrSyntax {
				t.Fatalf("%q: unexpected error %v", data, err)
			}
		case all && np != 0, !all && np != 0 && np != 1 && np != 2:
			t.Fatalf("%q parsed as all=%v proto=%d", data, all, np)
		}
	})
}

func FuzzParseType(f *testing.F) {
	for _, s := range []string{"A", "I", "a n", "L 8", "L 7", "E", "A T", "A  N", "", " ", "X"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		typ, err := ParseType(data)
		switch {
		case err == nil:
			if typ != 'A' && typ != 'I' {
				t.Fatalf("%q parsed as %q", data, typ)
			}
		case err != ErrSyntax && err != ErrUnsupported:
			t.Fatalf("%q: unexpected error %v", data, err)
		}
	})
}

func FuzzParseFacts(f *testing.F) {
	for _, s := range []string{"type;size;modify;", "TYPE;Size;", "", ";;;", "unix.mode;unix.uid;unix.gid;perm;unique;",
		"bogus;type", "type;size;modify;UNIX.mode;UNIX.owner;UNIX.group;"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		facts := ParseFacts(data)
		if facts&^FactsDefault != 0 && facts&^allFacts() != 0 {
			t.Fatalf("%q enabled unknown bits %b", data, facts)
		}
		// What the OPTS MLST reply says is enabled parses back to the same set.
		names := AppendFactNames(nil, facts, false)
		if back := ParseFacts(names); back != facts {
			t.Fatalf("%q: %b -> %q -> %b", data, facts, names, back)
		}
	})
}

func allFacts() Facts {
	var f Facts
	for i := range factNames {
		f |= 1 << i
	}
	return f
}

// FuzzListLines feeds arbitrary names to the LIST, NLST and MLSx encoders (as the file
// name, and for LIST also as owner, group and symbolic link target): each must yield
// exactly one line, whatever the name holds.
func FuzzListLines(f *testing.F) {
	for _, s := range []string{"a.txt", "with space", "evil\r\n226 forged", "\xff\xfe", "", "\x00", "日本"} {
		f.Add(s)
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	f.Fuzz(func(t *testing.T, name string) {
		e := Entry{Name: name, Size: 12, Mode: 0o644, ModTime: now.Add(-time.Hour)}
		link := Entry{Name: name, Owner: name, Group: name, Target: name, Mode: fs.ModeSymlink | 0o777, ModTime: now}
		for _, line := range [][]byte{
			AppendListLine(nil, &e, now, time.UTC),
			AppendListLine(nil, &link, now, time.UTC),
			AppendNameLine(nil, name),
			AppendMLSx(nil, &e, FactsDefault, "", "r"),
		} {
			// RFC 959's rule for names: an LF never appears, a CR only as CR NUL, so no
			// client can see a line end inside the name.
			body := bytes.TrimSuffix(line, []byte("\r\n"))
			if bytes.IndexByte(body, '\n') >= 0 || bytes.Contains(bytes.ReplaceAll(body, []byte("\r\x00"), nil), []byte("\r")) {
				t.Fatalf("name %q gave a line with a line end inside: %q", name, line)
			}
		}
		e.Mode = fs.ModeDir | 0o755
		if l := AppendMLSx(nil, &e, FactsDefault, "", "el"); !bytes.HasPrefix(l, []byte("type=dir;")) {
			t.Fatalf("directory MLSx line %q", l)
		}
	})
}
