// list_test.go: LIST and NLST lines, mode strings and dates.

package proto

import (
	"io/fs"
	"testing"
	"time"
)

func TestAppendListLine(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	recent := time.Date(2025, 1, 2, 15, 4, 5, 0, time.UTC)
	old := time.Date(2019, 11, 30, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		e    Entry
		want string
	}{
		{Entry{Name: "name", Size: 1234, Mode: 0o644, ModTime: recent, Nlink: 1, UID: 1000, GID: 1000},
			"-rw-r--r--   1 1000     1000         1234 Jan 02 15:04 name\r\n"},
		{Entry{Name: "dir", Size: 4096, Mode: fs.ModeDir | 0o755, ModTime: old, Nlink: 2},
			"drwxr-xr-x   2 0        0            4096 Nov 30  2019 dir\r\n"},
		{Entry{Name: "big", Size: 123456789012, Mode: 0o600, ModTime: recent, Nlink: 1234, UID: 4294967295, GID: 123456789},
			"-rw------- 1234 4294967295 123456789 123456789012 Jan 02 15:04 big\r\n"},
		{Entry{Name: "link", Mode: fs.ModeSymlink | 0o777, ModTime: recent, Nlink: 1},
			"lrwxrwxrwx   1 0        0               0 Jan 02 15:04 link\r\n"},
		{Entry{Name: "suid", Mode: fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky | 0o755, ModTime: recent, Nlink: 1},
			"-rwsr-sr-t   1 0        0               0 Jan 02 15:04 suid\r\n"},
		{Entry{Name: "suid-x", Mode: fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky | 0o644, ModTime: recent, Nlink: 1},
			"-rwSr-Sr-T   1 0        0               0 Jan 02 15:04 suid-x\r\n"},
		{Entry{Name: "fifo", Mode: fs.ModeNamedPipe | 0o600, ModTime: recent, Nlink: 1},
			"prw-------   1 0        0               0 Jan 02 15:04 fifo\r\n"},
		{Entry{Name: "sock", Mode: fs.ModeSocket, ModTime: recent, Nlink: 1},
			"s---------   1 0        0               0 Jan 02 15:04 sock\r\n"},
		{Entry{Name: "tty", Mode: fs.ModeDevice | fs.ModeCharDevice | 0o620, ModTime: recent, Nlink: 1},
			"crw--w----   1 0        0               0 Jan 02 15:04 tty\r\n"},
		{Entry{Name: "sda", Mode: fs.ModeDevice | 0o660, ModTime: recent, Nlink: 1},
			"brw-rw----   1 0        0               0 Jan 02 15:04 sda\r\n"},
		{Entry{Name: "evil\r\n226 Transfer complete", Mode: 0o644, ModTime: recent, Nlink: 1},
			"-rw-r--r--   1 0        0               0 Jan 02 15:04 evil\r\x00\x00226 Transfer complete\r\n"},
		{Entry{Name: `q"uote`, Size: -1, Mode: 0o644, ModTime: now.Add(170 * 24 * time.Hour), Nlink: 1},
			"-rw-r--r--   1 0        0              -1 Aug 18 12:00 q\"uote\r\n"}, // near future: clock
		{Entry{Name: "future", Mode: 0o644, ModTime: now.Add(190 * 24 * time.Hour), Nlink: 1},
			"-rw-r--r--   1 0        0               0 Sep 07  2025 future\r\n"},
		{Entry{Name: "edge", Mode: 0o644, ModTime: now.Add(-180 * 24 * time.Hour), Nlink: 1},
			"-rw-r--r--   1 0        0               0 Sep 02 12:00 edge\r\n"},
		{Entry{Name: "named", Owner: "ftp", Group: "nogroup", Size: 5, Mode: 0o644, ModTime: recent, Nlink: 1, UID: 21, GID: 65534},
			"-rw-r--r--   1 ftp      nogroup         5 Jan 02 15:04 named\r\n"},
		{Entry{Name: "longname", Owner: "averylongusername", Group: "g\r\nx", Mode: 0o644, ModTime: recent, Nlink: 1},
			"-rw-r--r--   1 averylongusername g\r\x00\x00x           0 Jan 02 15:04 longname\r\n"},
		{Entry{Name: "lnk", Target: "../pub/file\r\n226 x", Mode: fs.ModeSymlink | 0o777, ModTime: recent, Nlink: 1},
			"lrwxrwxrwx   1 0        0               0 Jan 02 15:04 lnk -> ../pub/file\r\x00\x00226 x\r\n"},
		{Entry{Name: "notlink", Target: "ignored", Mode: 0o644, ModTime: recent, Nlink: 1},
			"-rw-r--r--   1 0        0               0 Jan 02 15:04 notlink\r\n"},
		{Entry{Name: "past-edge", Mode: 0o644, ModTime: now.Add(-180*24*time.Hour - time.Second), Nlink: 1},
			"-rw-r--r--   1 0        0               0 Sep 02  2024 past-edge\r\n"},
	}
	for _, tt := range tests {
		if got := string(AppendListLine(nil, &tt.e, now, time.UTC)); got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.e.Name, got, tt.want)
		}
	}
}

func TestAppendListLineLocation(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	e := Entry{Name: "f", Mode: 0o644, ModTime: time.Date(2025, 1, 1, 23, 30, 0, 0, time.UTC), Nlink: 1}
	east := time.FixedZone("UTC+2", 2*3600)
	if got, want := string(AppendListLine(nil, &e, now, east)), "-rw-r--r--   1 0        0               0 Jan 02 01:30 f\r\n"; got != want {
		t.Errorf("in UTC+2: got %q, want %q", got, want)
	}
	if got, want := string(AppendListLine(nil, &e, now, nil)), "-rw-r--r--   1 0        0               0 Jan 01 23:30 f\r\n"; got != want {
		t.Errorf("nil location: got %q, want %q", got, want)
	}
}

func TestAppendNameLine(t *testing.T) {
	if got := string(AppendNameLine([]byte("a\r\n"), "b\nc")); got != "a\r\nb\x00c\r\n" {
		t.Fatalf("got %q", got)
	}
}

func TestListLineChanges(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	e := Entry{Name: "f", Mode: 0o644, Nlink: 1}
	for _, mtime := range []time.Time{
		now.Add(-time.Hour), now.Add(-179 * 24 * time.Hour), now.Add(time.Hour),
		now.Add(200 * 24 * time.Hour), now.Add(-400 * 24 * time.Hour),
	} {
		e.ModTime = mtime
		at, ok := ListLineChanges(mtime, now)
		before := string(AppendListLine(nil, &e, now, time.UTC))
		if !ok {
			if later := string(AppendListLine(nil, &e, now.Add(10000*24*time.Hour), time.UTC)); later != before {
				t.Errorf("mtime %v: said never changes, but %q became %q", mtime, before, later)
			}
			continue
		}
		if got := string(AppendListLine(nil, &e, at.Add(-time.Nanosecond), time.UTC)); got != before {
			t.Errorf("mtime %v: changed before %v: %q -> %q", mtime, at, before, got)
		}
		if got := string(AppendListLine(nil, &e, at, time.UTC)); got == before {
			t.Errorf("mtime %v: unchanged at %v: %q", mtime, at, got)
		}
	}
}
