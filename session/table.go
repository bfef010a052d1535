// The verb -> handler table. Flags (login, argument policy) live in proto's verb table.

package session

import "github.com/fastftp/fastftp/proto"

type handler func(s *Session, arg []byte)

var handlers [proto.NumVerbs]handler

func init() {
	handlers = [proto.NumVerbs]handler{
		proto.USER:    (*Session).cmdUSER,
		proto.PASS:    (*Session).cmdPASS,
		proto.ACCT:    func(s *Session, _ []byte) { s.reply(202, "Command not implemented, superfluous at this site.") },
		proto.QUIT:    (*Session).cmdQUIT,
		proto.REIN:    (*Session).cmdREIN,
		proto.PWD:     (*Session).cmdPWD,
		proto.CWD:     (*Session).cmdCWD,
		proto.CDUP:    func(s *Session, _ []byte) { s.cmdCWD(dotdot) },
		proto.MKD:     (*Session).cmdMKD,
		proto.RMD:     (*Session).cmdRMD,
		proto.DELE:    (*Session).cmdDELE,
		proto.RNFR:    (*Session).cmdRNFR,
		proto.RNTO:    (*Session).cmdRNTO,
		proto.LIST:    (*Session).cmdLIST,
		proto.NLST:    (*Session).cmdNLST,
		proto.MLSD:    (*Session).cmdMLSD,
		proto.RETR:    (*Session).cmdRETR,
		proto.STOR:    (*Session).cmdSTOR,
		proto.APPE:    (*Session).cmdAPPE,
		proto.STOU:    (*Session).cmdSTOU,
		proto.REST:    (*Session).cmdREST,
		proto.ABOR:    (*Session).cmdABOR,
		proto.TYPE:    (*Session).cmdTYPE,
		proto.MODE:    (*Session).cmdMODE,
		proto.STRU:    (*Session).cmdSTRU,
		proto.ALLO:    func(s *Session, _ []byte) { s.reply(202, "No storage allocation necessary.") },
		proto.SYST:    func(s *Session, _ []byte) { s.reply(215, "UNIX Type: L8") },
		proto.STAT:    (*Session).cmdSTAT,
		proto.HELP:    (*Session).cmdHELP,
		proto.NOOP:    func(s *Session, _ []byte) { s.reply(200, "NOOP ok.") },
		proto.SITE:    (*Session).cmdSITE,
		proto.FEAT:    (*Session).cmdFEAT,
		proto.OPTS:    (*Session).cmdOPTS,
		proto.PORT:    (*Session).cmdPORT,
		proto.PASV:    (*Session).cmdPASV,
		proto.EPRT:    (*Session).cmdEPRT,
		proto.EPSV:    (*Session).cmdEPSV,
		proto.SIZE:    (*Session).cmdSIZE,
		proto.MDTM:    (*Session).cmdMDTM,
		proto.MLST:    (*Session).cmdMLST,
		proto.MFMT:    (*Session).cmdMFMT,
		proto.AUTH:    (*Session).cmdAUTH,
		proto.PBSZ:    (*Session).cmdPBSZ,
		proto.PROT:    (*Session).cmdPROT,
		proto.CCC:     (*Session).cmdCCC,
		proto.LANG:    func(s *Session, _ []byte) { s.reply(502, "Only English is available.") },
		proto.SMNT:    func(s *Session, _ []byte) { s.reply(502, "SMNT not implemented.") },
		proto.HASH:    (*Session).cmdHASH,
		proto.RANG:    (*Session).cmdRANG,
		proto.XCRC:    legacyHash(algoCRC32),
		proto.XMD5:    legacyHash(algoMD5),
		proto.XSHA1:   legacyHash(algoSHA1),
		proto.XSHA256: legacyHash(algoSHA256),
		proto.XSHA512: legacyHash(algoSHA512),
		proto.CLNT:    (*Session).cmdCLNT,
		proto.AVBL:    (*Session).cmdAVBL,
		proto.HOST:    (*Session).cmdHOST,
	}
}

var dotdot = []byte("..")
