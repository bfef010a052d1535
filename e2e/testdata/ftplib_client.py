"""Drive a server with Python's ftplib for the e2e tests; print one JSON object of results.

usage: ftplib_client.py HOST PORT USER PASS WORKDIR
WORKDIR holds src.bin; the script uploads it in passive and active mode, downloads it back
into WORKDIR, and reports what SIZE, MLSD, NLST, PWD and the file commands returned.
"""
import ftplib
import json
import os
import sys


def main():
    host, port, user, password, work = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
    out = {}
    ftp = ftplib.FTP(timeout=20)
    ftp.connect(host, port)
    ftp.login(user, password)
    src = os.path.join(work, "src.bin")
    for mode, passive in (("passive", True), ("active", False)):
        ftp.set_pasv(passive)
        with open(src, "rb") as f:
            out["stor_" + mode] = ftp.storbinary("STOR up-%s.bin" % mode, f)
        with open(os.path.join(work, "back-%s.bin" % mode), "wb") as f:
            out["retr_" + mode] = ftp.retrbinary("RETR up-%s.bin" % mode, f.write)
    ftp.set_pasv(True)
    out["size"] = ftp.size("up-passive.bin")
    out["mkd"] = ftp.mkd("dir")
    ftp.cwd("dir")
    out["pwd"] = ftp.pwd()
    ftp.cwd("/")
    out["rename"] = ftp.rename("up-active.bin", "dir/moved.bin")
    out["mlsd"] = sorted(name for name, facts in ftp.mlsd() if facts.get("type") not in ("cdir", "pdir"))
    out["nlst_dir"] = sorted(os.path.basename(n) for n in ftp.nlst("dir"))
    lines = []
    ftp.retrlines("LIST", lines.append)
    out["list_lines"] = len(lines)
    out["delete"] = ftp.delete("dir/moved.bin")
    out["rmd"] = ftp.rmd("dir")
    try:
        ftp.retrbinary("RETR nosuch", lambda b: None)
        out["retr_missing"] = "no error"
    except ftplib.error_perm as e:
        out["retr_missing"] = str(e)[:3]
    out["quit"] = ftp.quit()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
