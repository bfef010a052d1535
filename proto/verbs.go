// verbs.go: the verb ids, their flags (login, argument policy, data connection) and help.

package proto

// Verb identifies an FTP command. The zero value is Unknown. Verbs index tables of length
// NumVerbs (flags here, handlers in the session core).
type Verb uint8

// The known verbs: RFC 959, RFC 2389 (FEAT OPTS), RFC 2428 (EPRT EPSV), RFC 3659 (SIZE MDTM
// MLST MLSD), RFC 4217 (AUTH PBSZ PROT CCC), RFC 2640 (LANG), RFC 7151 (HOST), plus the de facto MFMT, the
// HASH and RANG drafts (draft-bryan-ftpext-hash, draft-bryan-ftp-range) and the legacy
// checksum commands XCRC XMD5 XSHA1 XSHA256 XSHA512 (the only names longer than 4 bytes).
// CLNT and AVBL come from draft-peterson-streamlined-ftp-command-extensions.
// The RFC 775 X aliases (XCUP XCWD XMKD XPWD XRMD) look up to CDUP CWD MKD PWD RMD.
const (
	Unknown Verb = iota
	USER
	PASS
	ACCT
	QUIT
	REIN
	PWD
	CWD
	CDUP
	MKD
	RMD
	DELE
	RNFR
	RNTO
	LIST
	NLST
	RETR
	STOR
	APPE
	STOU
	REST
	ABOR
	TYPE
	MODE
	STRU
	ALLO
	SYST
	STAT
	HELP
	NOOP
	SITE
	FEAT
	OPTS
	PORT
	PASV
	EPRT
	EPSV
	SIZE
	MDTM
	MLST
	MLSD
	MFMT
	AUTH
	PBSZ
	PROT
	CCC
	LANG
	SMNT
	HASH
	RANG
	XCRC
	XMD5
	XSHA1
	XSHA256
	XSHA512
	CLNT
	AVBL
	HOST
	NumVerbs // count, for tables indexed by Verb
)

// Flags describe how the session treats a verb before its handler runs.
type Flags uint16

// Verb flags. A verb with neither ArgRequired nor ArgNone takes an optional argument.
const (
	NeedLogin      Flags = 1 << iota // 530 before a successful login
	ArgRequired                      // 501 when the argument is empty
	ArgNone                          // 501 when an argument is present
	DataConn                         // uses a data connection (LIST NLST MLSD RETR STOR APPE STOU)
	DuringTransfer                   // acted on while a transfer runs (ABOR STAT QUIT)
	PathArg                          // the argument is a pathname
	Modifies                         // changes the tree: the server logs each one, done or refused
)

type verbInfo struct {
	name  string
	flags Flags
	help  string
}

// Shorthands keep the table one line per verb.
const (
	nl = NeedLogin
	ar = ArgRequired
	an = ArgNone
	dc = DataConn
	dt = DuringTransfer
	pa = PathArg
	md = Modifies
)

// verbTable is indexed by Verb. Login policy follows pyftpdlib (USER PASS QUIT FEAT SYST
// NOOP HELP OPTS AUTH PBSZ PROT CCC LANG work before login; so does HOST, RFC 7151); argument policy follows
// RFC 959/3659 syntax, except that PASS and STOU take an optional argument as in pyftpdlib
// (anonymous clients send an empty password; STOU may suggest a name).
var verbTable = [NumVerbs]verbInfo{
	Unknown: {"", 0, ""},
	USER:    {"USER", ar, "Syntax: USER <SP> user-name (set username)."},
	PASS:    {"PASS", 0, "Syntax: PASS [<SP> password] (set password)."},
	ACCT:    {"ACCT", nl | ar, "Syntax: ACCT <SP> account-information (not needed here)."},
	QUIT:    {"QUIT", an | dt, "Syntax: QUIT (end the session)."},
	REIN:    {"REIN", nl | an, "Syntax: REIN (log out, keep the connection)."},
	PWD:     {"PWD", nl | an, "Syntax: PWD (print the working directory)."},
	CWD:     {"CWD", nl | ar | pa, "Syntax: CWD <SP> dir-name (change the working directory)."},
	CDUP:    {"CDUP", nl | an, "Syntax: CDUP (go to the parent directory)."},
	MKD:     {"MKD", nl | ar | pa | md, "Syntax: MKD <SP> dir-name (make a directory)."},
	RMD:     {"RMD", nl | ar | pa | md, "Syntax: RMD <SP> dir-name (remove a directory)."},
	DELE:    {"DELE", nl | ar | pa | md, "Syntax: DELE <SP> file-name (delete a file)."},
	RNFR:    {"RNFR", nl | ar | pa | md, "Syntax: RNFR <SP> file-name (rename from)."},
	RNTO:    {"RNTO", nl | ar | pa | md, "Syntax: RNTO <SP> file-name (rename to)."},
	LIST:    {"LIST", nl | dc | pa, "Syntax: LIST [<SP> path] (list files, ls -l style)."},
	NLST:    {"NLST", nl | dc | pa, "Syntax: NLST [<SP> path] (list file names)."},
	RETR:    {"RETR", nl | ar | dc | pa, "Syntax: RETR <SP> file-name (retrieve a file)."},
	STOR:    {"STOR", nl | ar | dc | pa | md, "Syntax: STOR <SP> file-name (store a file)."},
	APPE:    {"APPE", nl | ar | dc | pa | md, "Syntax: APPE <SP> file-name (append to a file)."},
	STOU:    {"STOU", nl | dc | pa | md, "Syntax: STOU [<SP> name] (store a file under a unique name)."},
	REST:    {"REST", nl | ar, "Syntax: REST <SP> offset (restart the next transfer at offset)."},
	ABOR:    {"ABOR", nl | an | dt, "Syntax: ABOR (abort the transfer)."},
	TYPE:    {"TYPE", nl | ar, "Syntax: TYPE <SP> [A | I] (set the transfer type)."},
	MODE:    {"MODE", nl | ar, "Syntax: MODE <SP> S (set the transfer mode; only stream)."},
	STRU:    {"STRU", nl | ar, "Syntax: STRU <SP> F (set the file structure; only file)."},
	ALLO:    {"ALLO", nl | ar, "Syntax: ALLO <SP> bytes (allocate storage; no-op)."},
	SYST:    {"SYST", an, "Syntax: SYST (show the system type)."},
	STAT:    {"STAT", nl | dt | pa, "Syntax: STAT [<SP> path] (server or transfer status, or list path)."},
	HELP:    {"HELP", 0, "Syntax: HELP [<SP> cmd] (show help)."},
	NOOP:    {"NOOP", an, "Syntax: NOOP (do nothing)."},
	SITE:    {"SITE", ar | md, "Syntax: SITE <SP> site-command (site-specific command)."},
	FEAT:    {"FEAT", an, "Syntax: FEAT (list the extensions supported)."},
	OPTS:    {"OPTS", ar, "Syntax: OPTS <SP> cmd [<SP> option] (set an option for a command)."},
	PORT:    {"PORT", nl | ar, "Syntax: PORT <SP> h1,h2,h3,h4,p1,p2 (open an active data connection)."},
	PASV:    {"PASV", nl | an, "Syntax: PASV (open a passive data connection)."},
	EPRT:    {"EPRT", nl | ar, "Syntax: EPRT <SP> |proto|ip|port| (extended active data connection)."},
	EPSV:    {"EPSV", nl, "Syntax: EPSV [<SP> proto | ALL] (extended passive data connection)."},
	SIZE:    {"SIZE", nl | ar | pa, "Syntax: SIZE <SP> file-name (show the file size)."},
	MDTM:    {"MDTM", nl | ar | pa, "Syntax: MDTM <SP> file-name (show the modification time)."},
	MLST:    {"MLST", nl | pa, "Syntax: MLST [<SP> path] (show facts about one path)."},
	MLSD:    {"MLSD", nl | dc | pa, "Syntax: MLSD [<SP> dir-name] (list a directory as facts)."},
	MFMT:    {"MFMT", nl | ar | md, "Syntax: MFMT <SP> YYYYMMDDHHMMSS <SP> file-name (set the modification time)."},
	AUTH:    {"AUTH", ar, "Syntax: AUTH <SP> TLS (secure the control connection)."},
	PBSZ:    {"PBSZ", ar, "Syntax: PBSZ <SP> 0 (protection buffer size)."},
	PROT:    {"PROT", ar, "Syntax: PROT <SP> [C | P] (data channel protection level)."},
	CCC:     {"CCC", an, "Syntax: CCC (clear the control channel)."},
	LANG:    {"LANG", 0, "Syntax: LANG [<SP> lang-tag] (set the reply language)."},
	SMNT:    {"SMNT", nl | ar, "Syntax: SMNT <SP> path (mount a structure; not implemented)."},
	HASH:    {"HASH", nl | ar | pa, "Syntax: HASH <SP> file-name (digest of the file or of the RANG range; OPTS HASH picks the algorithm)."},
	RANG:    {"RANG", nl | ar, "Syntax: RANG <SP> start <SP> end (byte range of the next HASH; RANG 1 0 resets)."},
	XCRC:    {"XCRC", nl | ar | pa, "Syntax: XCRC <SP> file-name [<SP> start [<SP> end]] (CRC32 of the file)."},
	XMD5:    {"XMD5", nl | ar | pa, "Syntax: XMD5 <SP> file-name [<SP> start [<SP> end]] (MD5 of the file)."},
	XSHA1:   {"XSHA1", nl | ar | pa, "Syntax: XSHA1 <SP> file-name [<SP> start [<SP> end]] (SHA-1 of the file)."},
	XSHA256: {"XSHA256", nl | ar | pa, "Syntax: XSHA256 <SP> file-name [<SP> start [<SP> end]] (SHA-256 of the file)."},
	XSHA512: {"XSHA512", nl | ar | pa, "Syntax: XSHA512 <SP> file-name [<SP> start [<SP> end]] (SHA-512 of the file)."},
	CLNT:    {"CLNT", ar, "Syntax: CLNT <SP> client-name (say which client you are; logged)."},
	AVBL:    {"AVBL", nl | pa, "Syntax: AVBL [<SP> dir-name] (free space in bytes, for writable directories)."},
	HOST:    {"HOST", ar, "Syntax: HOST <SP> host-name (select a virtual host before USER)."},
}

// aliases are the RFC 775 experimental names still sent by some clients.
var aliases = [...]struct {
	name string
	verb Verb
}{
	{"XCUP", CDUP}, {"XCWD", CWD}, {"XMKD", MKD}, {"XPWD", PWD}, {"XRMD", RMD},
}

// Flags returns the verb's flags (0 for Unknown or out-of-range values). Safe from any
// goroutine.
func (v Verb) Flags() Flags {
	if v >= NumVerbs {
		return 0
	}
	return verbTable[v].flags
}

// String returns the canonical upper-case name ("" for Unknown or out-of-range values).
// The string is a constant. Safe from any goroutine.
func (v Verb) String() string {
	if v >= NumVerbs {
		return ""
	}
	return verbTable[v].name
}

// Help returns a one-line syntax help for HELP <verb> replies ("" for Unknown). The string
// is a constant. Safe from any goroutine.
func (v Verb) Help() string {
	if v >= NumVerbs {
		return ""
	}
	return verbTable[v].help
}

// Has reports whether all of want are set in f. Safe from any goroutine.
func (f Flags) Has(want Flags) bool { return f&want == want }
