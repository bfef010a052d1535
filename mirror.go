// mirror.go: the settings mirror operators know from vsftpd and proftpd (directory
// messages, a welcome text, a per-address transfer limit), applied at New and changeable
// while serving.

package fastftp

import (
	"fmt"
	"net/netip"

	"github.com/fastftp/fastftp/session"
)

// applyMirror copies Config's mirror settings into the session environment, refusing a
// DirMessage that is not a plain file name.
func applyMirror(cfg *Config, env *session.Env) error {
	if err := session.CheckMessageName(cfg.DirMessage); err != nil {
		return fmt.Errorf("fastftp: DirMessage %q: %w", cfg.DirMessage, err)
	}
	if cfg.MaxTransfersPerIP < 0 {
		return fmt.Errorf("fastftp: MaxTransfersPerIP %d: want 0 (unlimited) or more", cfg.MaxTransfersPerIP)
	}
	env.DirMessage, env.Welcome, env.MaxTransfersPerIP = cfg.DirMessage, cfg.Welcome, cfg.MaxTransfersPerIP
	return nil
}

// SetNotices changes the directory message file name ("" off) and the welcome text (""
// none) for the CWDs and logins that follow. Safe from any goroutine.
func (s *Server) SetNotices(dirMessage, welcome string) error {
	return s.env.SetNotices(dirMessage, welcome)
}

// SetMaxTransfersPerIP changes the limit on file transfers at once from one client
// address (0: unlimited); transfers running stay counted. Safe from any goroutine.
func (s *Server) SetMaxTransfersPerIP(n int) { s.env.SetMaxTransfersPerIP(n) }

// TransfersFrom returns the file transfers running from ip's address (its /64 for IPv6).
// Safe from any goroutine.
func (s *Server) TransfersFrom(ip netip.Addr) int { return s.env.TransfersFrom(ip) }
