// runas_unix.go: choosing the account to become and becoming it with setgroups, setgid
// and setuid.

//go:build unix

package main

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"syscall"

	"github.com/fastftp/fastftp/config"
)

func lookupAccount(name string) (*account, error) {
	u, err := user.Lookup(name)
	if err != nil {
		return nil, err
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("user %s has a uid or gid that is not a number", name)
	}
	a := &account{name: name, uid: uid, gid: gid, groups: []int{gid}}
	if ids, err := u.GroupIds(); err == nil {
		for _, s := range ids {
			if g, err := strconv.Atoi(s); err == nil && g != gid {
				a.groups = append(a.groups, g)
			}
		}
	}
	return a, nil
}

// resolveRunAs decides who serves. Started as root:
//   - server.run_as / --run-as USER: that account; "root" keeps root (with a warning);
//   - [system_users]: root, which reading /etc/shadow and giving uploaded files to each
//     account need (naming another account is refused);
//   - anonymous access and no account named: ftp if it exists, else nobody (vsftpd);
//   - virtual users only and no account named: root, with a warning (their files would
//     belong to root).
//
// Not started as root, the process stays who it is; naming another account is refused.
// The returned note says who serves, and why, for the start-up log.
func resolveRunAs(f *config.File, fromFlag bool) (*account, string, error) {
	name := f.Server.RunAs
	src := "server.run_as in " + f.Name
	if fromFlag {
		src = "--run-as"
	}
	euid := os.Geteuid()
	if euid != 0 {
		if name == "" {
			return nil, "uid " + strconv.Itoa(euid) + " (not started as root)", nil
		}
		a, err := lookupAccount(name)
		if err != nil {
			return nil, "", fmt.Errorf("%s %s: %v", src, name, err)
		}
		if a.uid != euid {
			return nil, "", fmt.Errorf("%s %s needs fastftpd to start as root (it runs as uid %d)", src, name, euid)
		}
		return nil, name + " (already)", nil
	}
	switch {
	case f.SystemUsers.Enabled && name != "" && name != "root":
		return nil, "", fmt.Errorf("%s %s cannot be used with [system_users]: logging in the machine's accounts needs root (reading /etc/shadow, giving uploaded files to each account)", src, name)
	case f.SystemUsers.Enabled:
		return nil, "root ([system_users] needs it)", nil
	case name == "root":
		return nil, "root (" + src + "; uploaded files belong to root)", nil
	case name != "":
		a, err := lookupAccount(name)
		if err != nil {
			return nil, "", fmt.Errorf("%s %s: %v", src, name, err)
		}
		if a.uid == 0 {
			return nil, "", fmt.Errorf("%s %s has uid 0: name an unprivileged account", src, name)
		}
		return a, name + " (" + src + ")", nil
	case f.Anonymous.Enabled:
		for _, n := range []string{"ftp", "nobody"} {
			if a, err := lookupAccount(n); err == nil && a.uid != 0 {
				return a, n + " (the default with anonymous access)", nil
			}
		}
		return nil, "", errors.New("started as root with anonymous access, and neither the ftp nor the nobody account exists: name an unprivileged account with --run-as")
	}
	return nil, "root (no --run-as: uploaded files belong to root; name an unprivileged account with --run-as)", nil
}

// dropPrivileges makes the whole process a (every thread: Go applies setuid(2) and
// friends to all threads on Linux), then checks that root cannot be regained.
func dropPrivileges(a *account) error {
	if err := syscall.Setgroups(a.groups); err != nil {
		return fmt.Errorf("--run-as %s: setgroups: %v", a.name, err)
	}
	if err := syscall.Setgid(a.gid); err != nil {
		return fmt.Errorf("--run-as %s: setgid %d: %v", a.name, a.gid, err)
	}
	if err := syscall.Setuid(a.uid); err != nil {
		return fmt.Errorf("--run-as %s: setuid %d: %v", a.name, a.uid, err)
	}
	if syscall.Setuid(0) == nil || os.Geteuid() != a.uid || os.Getegid() != a.gid {
		return fmt.Errorf("--run-as %s: the process could still become root", a.name)
	}
	return nil
}
