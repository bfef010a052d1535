"""Run pyftpdlib with limits its command line cannot set, for e2e runs against the peer.

usage: pyftpd_limits.py PORT ROOT PASV_LO PASV_HI [name=value ...]
Users: "user"/"pass" (elradfmwMT) and anonymous (elr), both rooted at ROOT; failed logins
are not delayed. Names: max_cons, max_cons_per_ip (server), timeout, max_login_attempts
(handler).
"""
import sys

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer


def main():
    port, root = int(sys.argv[1]), sys.argv[2]
    lo, hi = int(sys.argv[3]), int(sys.argv[4])
    auth = DummyAuthorizer()
    auth.add_user("user", "pass", root, perm="elradfmwMT")
    auth.add_anonymous(root, perm="elr")

    class Handler(FTPHandler):
        pass

    Handler.authorizer = auth
    Handler.passive_ports = list(range(lo, hi + 1))
    Handler.auth_failed_timeout = 0
    server_attrs = {}
    for arg in sys.argv[5:]:
        name, value = arg.split("=", 1)
        if name in ("max_cons", "max_cons_per_ip"):
            server_attrs[name] = int(value)
        elif name in ("timeout", "max_login_attempts"):
            setattr(Handler, name, float(value) if name == "timeout" else int(value))
        else:
            sys.exit("unknown setting " + name)
    server = FTPServer(("127.0.0.1", port), Handler)
    for name, value in server_attrs.items():
        setattr(server, name, value)
    try:
        server.serve_forever()
    finally:
        server.close_all()


if __name__ == "__main__":
    main()
