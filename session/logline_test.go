package session

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/netip"
	"strings"
	"testing"

	"github.com/fastftp/fastftp/reactor"
)

// TestSessionLogLines checks the two lines every session logs (login, session closed) in
// both of slog's handlers: the client's address reads exactly as an AddrPort attribute
// would (logAddr must not change what operators grep for), and the user is the name the
// client typed.
func TestSessionLogLines(t *testing.T) {
	for _, remote := range []string{"192.0.2.7:40000", "[2001:db8::1]:21021"} {
		ap := netip.MustParseAddrPort(remote)
		for _, format := range []string{"json", "text"} {
			var buf bytes.Buffer
			newHandler := func() slog.Handler {
				if format == "json" {
					return slog.NewJSONHandler(&buf, nil)
				}
				return slog.NewTextHandler(&buf, nil)
			}
			// What an AddrPort attribute looks like in this handler: the reference.
			slog.New(newHandler()).Info("ref", "remote", ap)
			ref := attrText(t, format, buf.String(), "remote")
			buf.Reset()

			s, ft := newTestSession(t, func(e *Env) { e.Log = slog.New(newHandler()) })
			s.conn.remote = ap
			if got := feed(s, ft, "USER bob\r\nPASS secret\r\nQUIT\r\n"); !strings.HasSuffix(got, "221 Goodbye.\r\n") {
				t.Fatalf("%s %s: replies %q", remote, format, got)
			}
			s.Closed(reactor.ReasonClientQuit)
			lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
			if len(lines) != 2 {
				t.Fatalf("%s %s: want the login and the closed line, got %q", remote, format, lines)
			}
			for i, want := range []map[string]string{
				// No virtual host: no host attribute (it used to read host="" on every line).
				{"msg": "login", "remote": ref, "user": "bob", "host": "<missing>"},
				{"msg": "session closed", "remote": ref, "user": "bob", "host": "<missing>", "secs": "0", "reason": "client_quit"},
			} {
				for k, v := range want {
					if got := attrText(t, format, lines[i], k); got != v {
						t.Errorf("%s %s line %d: %s = %q, want %q (%s)", remote, format, i, k, got, v, lines[i])
					}
				}
			}
		}
	}
}

// TestLogAddrInvalid: an invalid address reads "" as AddrPort.MarshalText has it, not
// String's "invalid AddrPort".
func TestLogAddrInvalid(t *testing.T) {
	var ap netip.AddrPort
	if v := (*logAddr)(&ap).LogValue(); v.Kind() != slog.KindString || v.String() != "" {
		t.Fatalf("invalid address: %v %q", v.Kind(), v.String())
	}
}

// attrText returns key's value in one log line of the given format, as text.
func attrText(t *testing.T, format, line, key string) string {
	t.Helper()
	line = strings.TrimSpace(line)
	if format == "json" {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not JSON: %q: %v", line, err)
		}
		v, ok := m[key]
		if !ok {
			return "<missing>"
		}
		if f, ok := v.(float64); ok {
			b, _ := json.Marshal(f)
			return string(b)
		}
		s, _ := v.(string)
		return s
	}
	// The text handler quotes values with spaces or quotes; of these tests' values only msg
	// needs it.
	i := strings.Index(line, " "+key+"=")
	if i < 0 {
		return "<missing>"
	}
	rest := line[i+len(key)+2:]
	if strings.HasPrefix(rest, `"`) {
		end := strings.Index(rest[1:], `"`)
		return rest[1 : end+1]
	}
	if j := strings.IndexByte(rest, ' '); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// BenchmarkSessionLogLines: the two lines every session writes, to a text handler, as
// written (form=attrs) and as key-value pairs with the AddrPort boxed (form=args, the
// naive twin they replaced).
func BenchmarkSessionLogLines(b *testing.B) {
	s, ft := newTestSession(b, func(e *Env) { e.Log = slog.New(slog.NewTextHandler(io.Discard, nil)) })
	s.conn.remote = netip.MustParseAddrPort("192.0.2.7:40000")
	feed(s, ft, "USER bob\r\nPASS secret\r\n")
	u := s.login.user
	b.Run("form=attrs", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s.env.Log.LogAttrs(context.Background(), slog.LevelInfo, "login", s.logRemote(),
				slog.String("user", u.Name), s.hostAttr())
			s.env.Log.LogAttrs(context.Background(), slog.LevelInfo, "session closed", s.logRemote(),
				slog.String("user", s.loggedName()), s.hostAttr(),
				slog.Uint64("secs", uint64(s.env.seconds()-s.conn.born)), slog.Any("reason", reactor.ReasonClientQuit))
		}
	})
	b.Run("form=args", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s.env.Log.Info("login", "remote", s.conn.remote, "user", u.Name, "host", s.hostName())
			s.env.Log.Info("session closed", "remote", s.conn.remote, "user", s.userString(), "host", s.hostName(),
				"secs", s.env.seconds()-s.conn.born, "reason", reactor.ReasonClientQuit)
		}
	})
}

// TestSessionLogLinesNameTheHost: on a virtual host (HOST), both lines carry its first name.
func TestSessionLogLinesNameTheHost(t *testing.T) {
	var buf bytes.Buffer
	s, ft := newTestSession(t, twoHosts(t), func(e *Env) { e.Log = slog.New(slog.NewTextHandler(&buf, nil)) })
	if got := feed(s, ft, "HOST www.a.example\r\nUSER alice\r\nPASS pw-alice\r\nQUIT\r\n"); !strings.HasSuffix(got, "221 Goodbye.\r\n") {
		t.Fatalf("replies %q", got)
	}
	s.Closed(reactor.ReasonClientQuit)
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if strings.Contains(line, "msg=login") || strings.Contains(line, `msg="session closed"`) {
			n++
			if got := attrText(t, "text", line, "host"); got != "a.example" {
				t.Errorf("host = %q, want a.example: %s", got, line)
			}
		}
	}
	if n != 2 {
		t.Errorf("found %d login/closed lines, want 2: %q", n, buf.String())
	}
}
