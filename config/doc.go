// Package config loads fastftpd's TOML configuration file, validates all of it, and
// reports every problem with the file name and line ("fastftpd.toml:12: user "alice":
// perm has unknown letter 'x' (valid: elradfmwMT)"). Unknown keys are errors.
//
// Load is pure: it reads the file and checks that the directories and files it names
// exist, and keeps nothing open, so the server may call it again on SIGHUP and apply the
// result (users and limits) while sessions go on. File.Authorizer builds the
// auth.Authorizer for the users it describes.
//
// # Schema
//
// Every table and key is optional; the default is shown. Every key has a fastftpd flag
// of the same meaning and unit (`fastftpd -h`); a flag given on the command line
// overrides its key. Durations are Go duration strings ("300s", "5m") or whole seconds
// (300 or "300"), as in the flags. Zero means one thing everywhere: off, or unlimited (a
// timeout never fires, a cap never applies, ban_after = 0 never bans); the one exception
// is loops = 0, one event loop per CPU. Rates are bytes per second, a string with an
// optional 1024-based K, M, G or T suffix ("512K", "10M") or an integer. Permission letters are pyftpdlib's: e chdir, l list,
// r retrieve, a append, d delete, f rename, m mkdir, w store, M chmod, T set mtime.
// Relative paths are relative to the directory holding the file.
//
//	[server]
//	listen = [":2121"]              # "host:port" list; host empty (all) or an IP literal
//	banner = ""                     # 220 greeting; "" = the server's default
//	loops = 0                       # control event loops; 0 = one per two CPUs
//	max_cons = 0                    # 0 = unlimited
//	max_cons_per_ip = 0             # 0 = unlimited
//	max_transfers_per_ip = 0        # file transfers at once per client address; 0 = unlimited
//	dir_message = ""                # file shown in the CWD reply, e.g. ".message"; "" = off
//	welcome_file = ""               # text shown in the 230 reply after login; "" = none
//	max_login_attempts = 3
//	idle_timeout = "300s"
//	data_timeout = "300s"
//	passive_ports = ""              # "FROM-TO", e.g. "60000-60100"; "" = kernel's choice
//	masquerade_address = ""         # IPv4 for PASV replies behind NAT
//	masquerade_map = {}             # { "local IPv4" = "announced IPv4" } (multi-homed)
//	use_localtime = false
//	disable_sendfile = false
//	disable_hash = false            # turn off HASH/XCRC/XMD5/XSHA* (on: paced, bounded, cached)
//	hash_workers = 0                # checksums computed at once; 0 = one per 4 CPUs
//	data_notsent_lowat = "64K"      # TCP_NOTSENT_LOWAT on every download socket; unset: 64K on the data loops' only; "0" = off
//	data_loops = "auto"             # file transfers on N data event loops (Linux); "auto" = one per CPU; "off" (0) = a goroutine each
//	data_writers = 0                # goroutines copying uploads into files beside the data loops; 0 = the loops do
//	list_cache_size = "64M"         # encoded listings of unchanged directories; "0" = off
//	list_sort_max = 10000           # LIST/NLST sorted up to this many entries; 0 = never
//	list_numeric_owners = false     # LIST shows uid/gid numbers instead of names
//	open_file_cache = 256           # descriptors of hot files <= 1 MiB RETR keeps 2 s; 0 = off
//	workers = 1                     # processes serving the listeners, or "auto" (one per
//	                                # CPU); limits stay global (docs/operations.md, Workers)
//	permit_foreign_addresses = false
//	permit_privileged_ports = false
//	proxy_protocol_from = []        # load balancers (CIDRs) that must send a PROXY v1/v2
//	                                # header; from others a header is refused; [] = off
//	read_limit = "0"                # per session (uploads)
//	write_limit = "0"               # per session (downloads)
//	global_read_limit = "0"
//	global_write_limit = "0"
//	read_limit_per_ip = "0"         # uploads of one client address (IPv6: its /64) together
//	write_limit_per_ip = "0"        # downloads of one client address together
//	max_sessions_per_user = 0       # where a user has no max_sessions; 0 = unlimited
//	login_timeout = "60s"           # to log in after connecting
//	ban_after = 0                   # failed logins that ban an address; 0 = never
//	ban_window = "1m"               # ... counted within this window (positive)
//	ban_time = "10m"                # how long the ban lasts (positive)
//	shutdown_grace = "30s"          # transfers may finish after SIGTERM; 0 = stop at once
//	run_as = ""                     # started as root: the account to switch to after
//	                                # binding; "" = ftp, else nobody, with anonymous access
//	pid_file = ""                   # the live process writes its PID here (kill -USR2 to
//	                                # upgrade); "" = none
//
//	[log]
//	format = "text"                 # "text" or "json"
//	level = "info"                  # debug|info|warn|error
//	xferlog = ""                    # wu-ftpd transfer log path; "" = off
//
//	[metrics]
//	listen = ""                     # Prometheus HTTP listener, e.g. "127.0.0.1:9121"
//
//	[anonymous]
//	enabled = false
//	home = ""                       # required when enabled; must be a directory
//	perm = "elr"                    # write letters are allowed, with a warning
//
//	[[user]]                        # one table per virtual user
//	name = ""                       # required, unique, not "anonymous" or "ftp"
//	password = ""                   # required: bcrypt or argon2id hash (`fastftpd passwd`);
//	                                # plaintext is accepted with a warning
//	home = ""                       # required; must be a directory
//	perm = "elr"
//	max_sessions = 0                # 0 = unlimited
//	read_limit = "0"                # shared by all the user's sessions
//	write_limit = "0"
//	login_msg = ""                  # 230 text, one line
//	quit_msg = ""                   # 221 text, one line
//	  [[user.override]]             # per-directory permissions (pyftpdlib's override_perm)
//	  dir = ""                      # required; virtual path, e.g. "/incoming"
//	  perm = ""                     # required
//	  recursive = false             # also below dir, not only dir and its entries
//
//	[system_users]
//	enabled = false                 # also log in the machine's accounts (see sysauth)
//	perm = "elradfmwMT"
//	min_uid = 1000
//
//	[tls]
//	cert_file = ""                  # PEM certificate, and the key unless key_file is set;
//	                                # setting it enables AUTH TLS
//	key_file = ""                   # PEM private key, if not in cert_file
//	control_required = false        # these three need a certificate
//	data_required = false
//	implicit_listen = []
//	require_session_reuse = true
//
//	[[host]]                        # a virtual host (RFC 7151): HOST or the TLS server name
//	                                # selects it; the tables above are the default host
//	name = ""                       # required: a domain name, or a list of them; unique
//	root = ""                       # anonymous users' tree and the default home of its users
//	anonymous = false               # read-only anonymous access to root (needs root)
//	banner = ""                     # the 220 reply to HOST; "" = server.banner
//	max_sessions = 0                # logged-in sessions on this host; 0 = unlimited
//	read_limit = "0"                # all the host's uploads together
//	write_limit = "0"               # all the host's downloads together
//	cert_file = ""                  # this host's certificate (needs tls.cert_file)
//	key_file = ""
//	  [[host.user]]                 # the [[user]] keys (home defaults to root); only these
//	                                # users (and anonymous ones) log in on this host
//
// example.toml beside this file is a commented example with every key.
package config
