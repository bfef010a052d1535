// mlsx_test.go: RFC 3659 fact lists, MLSx lines and time-vals.

package proto

import (
	"errors"
	"io/fs"
	"testing"
	"time"
)

func TestParseFacts(t *testing.T) {
	tests := []struct {
		in   string
		want Facts
	}{
		{"", 0},
		{";", 0},
		{"type;size;modify;", FactType | FactSize | FactModify},
		{"TYPE;Size;MODIFY", FactType | FactSize | FactModify},
		{"unix.mode;UNIX.UID;unix.gid;perm;unique;", FactUnixMode | FactUnixUID | FactUnixGID | FactPerm | FactUnique},
		{"type;media-type;charset;lang;size;create;", FactType | FactSize}, // unknown facts ignored
		{"type*;size", FactSize}, // "type*" is not a fact name
		{"type;type;;size;;", FactType | FactSize},
		{" type;size", FactSize}, // RFC 3659: no spaces in the list
		{"type;size;modify;perm;unique;unix.mode;unix.uid;unix.gid;", FactsAll},
		{"\x00;\xff;typ;types;unix.;", 0},
	}
	for _, tt := range tests {
		if got := ParseFacts([]byte(tt.in)); got != tt.want {
			t.Errorf("ParseFacts(%q) = %08b, want %08b", tt.in, got, tt.want)
		}
	}
}

func TestAppendFactNames(t *testing.T) {
	tests := []struct {
		enabled Facts
		starred bool
		want    string
	}{
		{FactsDefault, true, "type*;size*;modify*;perm*;unique*;unix.mode*;unix.uid*;unix.gid*;"},
		{FactType | FactModify, true, "type*;size;modify*;perm;unique;unix.mode;unix.uid;unix.gid;"},
		{0, true, "type;size;modify;perm;unique;unix.mode;unix.uid;unix.gid;"},
		{FactType | FactSize, false, "type;size;"},
		{FactsAll, false, "type;size;modify;perm;unique;unix.mode;unix.uid;unix.gid;"},
		{0, false, ""},
	}
	for _, tt := range tests {
		if got := string(AppendFactNames(nil, tt.enabled, tt.starred)); got != tt.want {
			t.Errorf("AppendFactNames(%08b, %v) = %q, want %q", tt.enabled, tt.starred, got, tt.want)
		}
	}
	// What FEAT advertises, OPTS MLST parses back.
	if got := ParseFacts(AppendFactNames(nil, FactsAll, false)); got != FactsAll {
		t.Errorf("fact names do not round-trip: %08b", got)
	}
}

func TestAppendMLSx(t *testing.T) {
	mod := time.Date(2025, 1, 2, 16, 4, 5, 0, time.FixedZone("CET", 3600)) // 15:04:05 UTC
	file := Entry{Name: "name", Size: 12, Mode: 0o644, ModTime: mod, Nlink: 1, Dev: 0x803, Ino: 0x1a2}
	dir := Entry{Name: "sub dir", Size: 4096, Mode: fs.ModeDir | fs.ModeSetgid | 0o2775, ModTime: mod, UID: 1000, GID: 100}
	link := Entry{Name: "l", Mode: fs.ModeSymlink | 0o777, ModTime: mod}
	evil := Entry{Name: "x\r\n226 ok", Mode: 0o600, ModTime: mod}
	tests := []struct {
		e     *Entry
		facts Facts
		typ   string
		perm  string
		want  string
	}{
		{&file, FactsAll, "", "rw",
			"type=file;size=12;modify=20250102150405;perm=rw;unique=803g1a2;unix.mode=0644;unix.uid=0;unix.gid=0; name"},
		{&dir, FactsAll, "", "flcdmpe",
			"type=dir;size=4096;modify=20250102150405;perm=flcdmpe;unique=0g0;unix.mode=2775;unix.uid=1000;unix.gid=100; sub dir"},
		{&dir, FactType | FactModify, "cdir", "", "type=cdir;modify=20250102150405; sub dir"},
		{&dir, FactType, "pdir", "", "type=pdir; sub dir"},
		{&link, FactType | FactUnixMode, "", "", "type=OS.unix=symlink;unix.mode=0777; l"},
		{&file, FactPerm | FactSize, "", "", "size=12; name"}, // empty perm is skipped
		{&file, 0, "", "", " name"},
		{&file, FactType | FactPerm, "fi;le x", "r;w\r\n", "type=filex;perm=rw; name"},
		{&evil, FactSize, "", "", "size=0; x\r\x00\x00226 ok"},
		{&Entry{Name: "s", Mode: fs.ModeSetuid | fs.ModeSticky | 0o755}, FactUnixMode, "", "", "unix.mode=5755; s"},
	}
	for _, tt := range tests {
		if got := string(AppendMLSx(nil, tt.e, tt.facts, tt.typ, tt.perm)); got != tt.want {
			t.Errorf("AppendMLSx(%q, %08b, %q, %q):\n got %q\nwant %q", tt.e.Name, tt.facts, tt.typ, tt.perm, got, tt.want)
		}
	}
}

func TestTimeVal(t *testing.T) {
	tm := time.Date(2025, 1, 2, 15, 4, 5, 0, time.UTC)
	if got := string(AppendTimeVal(nil, tm, time.UTC)); got != "20250102150405" {
		t.Errorf("AppendTimeVal UTC = %q", got)
	}
	if got := string(AppendTimeVal(nil, tm, time.FixedZone("X", -5*3600))); got != "20250102100405" {
		t.Errorf("AppendTimeVal UTC-5 = %q", got)
	}
	if got := string(AppendTimeVal(nil, tm, nil)); got != "20250102150405" {
		t.Errorf("AppendTimeVal nil loc = %q", got)
	}
	if got := string(AppendTimeVal(nil, time.Time{}, nil)); got != "00010101000000" {
		t.Errorf("AppendTimeVal zero = %q", got)
	}

	good := []struct {
		in   string
		want time.Time
	}{
		{"20250102150405", tm},
		{"20250102150405.5", tm.Add(500 * time.Millisecond)},
		{"20250102150405.123", tm.Add(123 * time.Millisecond)},
		{"20250102150405.1234567891234", tm.Add(123456789 * time.Nanosecond)},
		{"20240229000000", time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)},
		{"20001231235960", time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)}, // leap second normalises
		{"00000101000000", time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range good {
		got, err := ParseTimeVal([]byte(tt.in))
		if err != nil || !got.Equal(tt.want) || got.Location() != time.UTC {
			t.Errorf("ParseTimeVal(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{
		"", "2025010215040", "2025010215040x", "20251302150405", "20250002150405", "20250100150405",
		"20250132150405", "20230229000000", "21000229000000", "20250431000000", "20250102240000",
		"20250102156000", "20250102150461", "20250102150405.", "20250102150405.x", "20250102150405Z",
		"20250102150405 ", " 20250102150405", "-2025010215040", "2025+102150405", "2025010215040\x00",
	} {
		if got, err := ParseTimeVal([]byte(in)); !errors.Is(err, ErrSyntax) {
			t.Errorf("ParseTimeVal(%q) = %v, %v; want ErrSyntax", in, got, err)
		}
	}
	// Every second of a leap year's awkward days round-trips through the text form.
	for d := time.Date(2024, 2, 28, 23, 59, 0, 0, time.UTC); d.Before(time.Date(2024, 3, 1, 0, 1, 0, 0, time.UTC)); d = d.Add(7 * time.Second) {
		got, err := ParseTimeVal(AppendTimeVal(nil, d, time.UTC))
		if err != nil || !got.Equal(d) {
			t.Fatalf("round trip of %v: %v, %v", d, got, err)
		}
	}
}
