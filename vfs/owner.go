// owner.go: who owns what a Local creates, for system users served by a root process.

package vfs

// Owner is the user and group that files and directories created through a Local are
// given (LocalOptions.Owner). The process must be allowed to chown (root, or
// CAP_CHOWN); otherwise creating fails with EPERM and the new entry is removed. A plain
// value: safe to share between goroutines.
type Owner struct {
	UID, GID int
}
