// Least privilege: started as root, fastftpd binds its ports and then becomes an
// unprivileged account, as vsftpd does (SECURITY.md). The switch is POSIX
// (runas_unix.go); Windows refuses --run-as (runas_windows.go).

package main

// account is who the server becomes after binding.
type account struct {
	name     string
	uid, gid int
	groups   []int
}
