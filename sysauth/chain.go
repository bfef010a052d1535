// chain.go: trying several Authorizers in order (virtual users, then system accounts).

package sysauth

import (
	"context"
	"errors"
	"net/netip"

	"github.com/fastftp/fastftp/auth"
)

// Chain is an auth.Authorizer that asks each Authorizer in turn. The first success wins;
// an error matching auth.ErrBadCredentials moves on to the next; any other error (a
// failure of that Authorizer, a done ctx) stops the chain and is returned, so an
// outage never turns into a login through a later Authorizer. When all refuse, the last
// refusal is returned. An empty Chain refuses everyone. Safe for concurrent use when its
// members are; do not modify a Chain in use.
type Chain []auth.Authorizer

var _ auth.Authorizer = Chain(nil)

// Authenticate implements auth.Authorizer. Safe from any goroutine.
func (c Chain) Authenticate(ctx context.Context, user, pass string, remote netip.Addr) (*auth.User, error) {
	err := auth.ErrBadCredentials
	for _, a := range c {
		u, e := a.Authenticate(ctx, user, pass, remote)
		if e == nil {
			return u, nil
		}
		if !errors.Is(e, auth.ErrBadCredentials) {
			return nil, e
		}
		err = e
	}
	return nil, err
}
