"""pyftpdlib with FTPS for ftpbench's TLS tests.

usage: tls_server.py PORT DIR PASV_RANGE CERTFILE [implicit]
Serves DIR to user "user" / "pass" on 127.0.0.1; requires TLS on control and data.
"""
import ssl
import sys

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import TLS_FTPHandler
from pyftpdlib.servers import FTPServer

port, root, prange, cert = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
lo, hi = (int(x) for x in prange.split("-"))
auth = DummyAuthorizer()
auth.add_user("user", "pass", root, perm="elradfmwMT")
handler = TLS_FTPHandler
handler.certfile = cert
handler.authorizer = auth
handler.passive_ports = range(lo, hi + 1)
handler.tls_control_required = True
handler.tls_data_required = True
handler.log_prefix = "%(remote_ip)s:%(remote_port)s-[%(username)s]"
FTPServer(("127.0.0.1", port), handler).serve_forever()
