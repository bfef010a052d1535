package session

import (
	"strings"
	"testing"
)

func TestModeZCommands(t *testing.T) {
	s, ft := newTestSession(t, func(e *Env) { e.ModeZ, e.ModeZMaxLevel = true, 8 })
	feed(s, ft, "USER bob\r\nPASS secret\r\n")
	if got := feed(s, ft, "FEAT\r\n"); !strings.Contains(got, "\r\n MODE Z\r\n") {
		t.Errorf("FEAT with ModeZ: %q", got)
	}
	for _, c := range []struct{ in, want string }{
		{"MODE z", "200 Transfer mode set to: Z (deflate).\r\n"},
		{"OPTS MODE Z LEVEL 8", "200 MODE Z LEVEL set to 8.\r\n"},
		{"OPTS MODE Z LEVEL 9", "501 MODE Z LEVEL must be 0 to 8.\r\n"},
		{"OPTS MODE Z LEVEL -1", "501 MODE Z LEVEL must be 0 to 8.\r\n"},
		{"OPTS MODE Z LEVEL", "501 MODE Z LEVEL must be 0 to 8.\r\n"},
		{"OPTS MODE Z ENGINE gzip", "501 Unsupported MODE Z option: only LEVEL is.\r\n"},
		{"OPTS MODE S", "501 Invalid OPTS MODE argument: only MODE Z has options.\r\n"},
		{"OPTS MODE", "501 Invalid OPTS MODE argument: only MODE Z has options.\r\n"},
		{"MODE B", "504 Unimplemented MODE type.\r\n"},
	} {
		if got := feed(s, ft, c.in+"\r\n"); got != c.want {
			t.Errorf("%s: %q, want %q", c.in, got, c.want)
		}
	}
	if s.conn.zmode != zOn|9 || s.zLevel() != 8 {
		t.Errorf("after MODE Z and LEVEL 8: zmode %#x, level %d", s.conn.zmode, s.zLevel())
	}
	feed(s, ft, "OPTS MODE Z\r\n")
	if s.zLevel() != defaultZLevel || s.conn.zmode&zOn == 0 {
		t.Errorf("OPTS MODE Z did not reset the level only: zmode %#x", s.conn.zmode)
	}
	feed(s, ft, "OPTS MODE Z LEVEL 0\r\nMODE S\r\n")
	if s.conn.zmode != 1 {
		t.Errorf("MODE S must keep the level and leave MODE Z: zmode %#x", s.conn.zmode)
	}
	feed(s, ft, "MODE Z\r\nREIN\r\n")
	if s.conn.zmode != 0 {
		t.Errorf("REIN must reset MODE Z and its level: zmode %#x", s.conn.zmode)
	}
}

func TestModeZOff(t *testing.T) {
	s, ft := newTestSession(t)
	feed(s, ft, "USER bob\r\nPASS secret\r\n")
	if got := feed(s, ft, "MODE Z\r\n"); got != "504 Unimplemented MODE type.\r\n" {
		t.Errorf("MODE Z, off: %q", got)
	}
	if got := feed(s, ft, "FEAT\r\n"); strings.Contains(got, "MODE Z") {
		t.Errorf("FEAT lists MODE Z while off: %q", got)
	}
	if got := feed(s, ft, "OPTS MODE Z LEVEL 1\r\n"); got != "501 Invalid OPTS argument: MODE Z is not enabled.\r\n" {
		t.Errorf("OPTS MODE Z, off: %q", got)
	}
	if s.zLevel() != defaultZLevel || s.env.ModeZMax < 1 || s.env.ModeZMaxLevel != defaultZLevel {
		t.Errorf("defaults: level %d, max %d, max level %d", s.zLevel(), s.env.ModeZMax, s.env.ModeZMaxLevel)
	}
}
