// files.go: looking one account up in passwd(5) and shadow(5) files.

package sysauth

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// passwdEntry is one line of /etc/passwd.
type passwdEntry struct {
	password string // "x": the hash is in the shadow file
	uid, gid int
	home     string
}

// shadowEntry is one line of /etc/shadow. Day counts are days since 1970-01-01; -1 means
// the field is empty.
type shadowEntry struct {
	password                   string
	lastChange, maxAge, expire int
}

// scanFor returns the colon-separated fields of the first line whose first field is
// name, or nil. The error names the file.
func scanFor(path, name string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("sysauth: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	prefix := name + ":"
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, prefix) {
			return strings.Split(line, ":"), nil
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("sysauth: read %s: %w", path, err)
	}
	return nil, nil
}

// lookupPasswd finds name in a passwd file; nil when absent or when the line is
// malformed (such an account cannot log in).
func lookupPasswd(path, name string) (*passwdEntry, error) {
	f, err := scanFor(path, name)
	if err != nil || f == nil {
		return nil, err
	}
	if len(f) != 7 {
		return nil, nil
	}
	uid, err1 := strconv.Atoi(f[2])
	gid, err2 := strconv.Atoi(f[3])
	if err1 != nil || err2 != nil || uid < 0 || gid < 0 {
		return nil, nil
	}
	return &passwdEntry{password: f[1], uid: uid, gid: gid, home: f[5]}, nil
}

// lookupShadow finds name in a shadow file; nil when absent or malformed.
func lookupShadow(path, name string) (*shadowEntry, error) {
	f, err := scanFor(path, name)
	if err != nil || f == nil {
		return nil, err
	}
	if len(f) != 9 {
		return nil, nil
	}
	// Fields: name, password, last change, min age, max age, warn, inactive, expire.
	last, ok1 := day(f[2])
	maxAge, ok2 := day(f[4])
	expire, ok3 := day(f[7])
	if !ok1 || !ok2 || !ok3 {
		return nil, nil
	}
	return &shadowEntry{password: f[1], lastChange: last, maxAge: maxAge, expire: expire}, nil
}

// day parses a shadow day count; "" is -1.
func day(s string) (int, bool) {
	if s == "" {
		return -1, true
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// expired applies shadow(5)'s dates as pam_unix does and says why the account may not
// log in ("" when it may).
func (e *shadowEntry) expired(now time.Time) string {
	today := int(now.Unix() / 86400)
	switch {
	case e.expire >= 0 && today >= e.expire:
		return "account expired on day " + strconv.Itoa(e.expire)
	case e.lastChange == 0:
		return "the password must be changed at next login"
	case e.lastChange > 0 && e.maxAge >= 0 && today > e.lastChange+e.maxAge:
		return "password expired on day " + strconv.Itoa(e.lastChange+e.maxAge)
	}
	return ""
}
