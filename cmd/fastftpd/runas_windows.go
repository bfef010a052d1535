// runas_windows.go: Windows has no setuid, so fastftpd serves as the account that started
// it. Naming an account and [system_users] (which reads /etc/passwd and /etc/shadow and
// gives uploads to each account) are refused at start with the reason.

package main

import (
	"fmt"

	"github.com/fastftp/fastftp/config"
)

// resolveRunAs never returns an account to switch to here.
func resolveRunAs(f *config.File, fromFlag bool) (*account, string, error) {
	src := "server.run_as in " + f.Name
	if fromFlag {
		src = "--run-as"
	}
	if f.Server.RunAs != "" {
		return nil, "", fmt.Errorf("%s %s: not supported on windows (there is no setuid): start fastftpd as the account that should serve", src, f.Server.RunAs)
	}
	if f.SystemUsers.Enabled {
		return nil, "", fmt.Errorf("[system_users] in %s: not supported on windows (it reads /etc/passwd and /etc/shadow and gives files to each account): use virtual users", f.Name)
	}
	return nil, "the account that started fastftpd (windows: no --run-as)", nil
}

// dropPrivileges is never reached (resolveRunAs returns no account); it refuses anyway.
func dropPrivileges(a *account) error {
	return fmt.Errorf("--run-as %s: not supported on windows", a.name)
}
