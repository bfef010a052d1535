// parse.go: Load and Parse: strict TOML decoding into raw values, errors with positions.

package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"

	toml "github.com/pelletier/go-toml/v2"
)

// The raw shape of the file, as the decoder fills it. Pointers tell "absent" from a zero
// value where the default is not zero; `any` fields take a string or a number.
type rawFile struct {
	Server      rawServer    `toml:"server"`
	Log         rawLog       `toml:"log"`
	Metrics     rawMetrics   `toml:"metrics"`
	Anonymous   rawAnonymous `toml:"anonymous"`
	User        []rawUser    `toml:"user"`
	SystemUsers rawSystem    `toml:"system_users"`
	TLS         rawTLS       `toml:"tls"`
	Host        []rawHost    `toml:"host"`
}

type rawServer struct {
	Listen                 *[]string         `toml:"listen"`
	Banner                 string            `toml:"banner"`
	Loops                  int               `toml:"loops"`
	MaxCons                int               `toml:"max_cons"`
	MaxConsPerIP           int               `toml:"max_cons_per_ip"`
	MaxTransfersPerIP      int               `toml:"max_transfers_per_ip"`
	DirMessage             string            `toml:"dir_message"`
	WelcomeFile            string            `toml:"welcome_file"`
	MaxLoginAttempts       *int              `toml:"max_login_attempts"`
	IdleTimeout            any               `toml:"idle_timeout"`
	DataTimeout            any               `toml:"data_timeout"`
	PassivePorts           string            `toml:"passive_ports"`
	MasqueradeAddress      string            `toml:"masquerade_address"`
	MasqueradeMap          map[string]string `toml:"masquerade_map"`
	UseLocalTime           bool              `toml:"use_localtime"`
	DisableSendfile        bool              `toml:"disable_sendfile"`
	DisableHash            bool              `toml:"disable_hash"`
	HashWorkers            int               `toml:"hash_workers"`
	ModeZ                  bool              `toml:"mode_z"`
	ModeZMax               int               `toml:"mode_z_max"`
	ModeZMaxLevel          int               `toml:"mode_z_max_level"`
	DataNotSentLowat       any               `toml:"data_notsent_lowat"`
	DataLoops              any               `toml:"data_loops"`
	DataWriters            int               `toml:"data_writers"`
	ListCacheSize          any               `toml:"list_cache_size"`
	ListSortMax            *int              `toml:"list_sort_max"`
	OpenFileCache          *int              `toml:"open_file_cache"`
	ListNumericOwners      bool              `toml:"list_numeric_owners"`
	Workers                any               `toml:"workers"`
	PermitForeignAddresses bool              `toml:"permit_foreign_addresses"`
	PermitPrivilegedPorts  bool              `toml:"permit_privileged_ports"`
	ProxyProtocolFrom      []string          `toml:"proxy_protocol_from"`
	ReadLimit              any               `toml:"read_limit"`
	WriteLimit             any               `toml:"write_limit"`
	GlobalReadLimit        any               `toml:"global_read_limit"`
	GlobalWriteLimit       any               `toml:"global_write_limit"`
	ReadLimitPerIP         any               `toml:"read_limit_per_ip"`
	WriteLimitPerIP        any               `toml:"write_limit_per_ip"`
	MaxSessionsPerUser     int               `toml:"max_sessions_per_user"`
	LoginTimeout           any               `toml:"login_timeout"`
	BanAfter               int               `toml:"ban_after"`
	BanWindow              any               `toml:"ban_window"`
	BanTime                any               `toml:"ban_time"`
	ShutdownGrace          any               `toml:"shutdown_grace"`
	RunAs                  string            `toml:"run_as"`
	PidFile                string            `toml:"pid_file"`
}

type rawLog struct {
	Format  string `toml:"format"`
	Level   string `toml:"level"`
	Xferlog string `toml:"xferlog"`
}

type rawMetrics struct {
	Listen string `toml:"listen"`
}

type rawAnonymous struct {
	Enabled bool    `toml:"enabled"`
	Home    string  `toml:"home"`
	Perm    *string `toml:"perm"`
}

type rawUser struct {
	Name        string        `toml:"name"`
	Password    *string       `toml:"password"`
	Home        string        `toml:"home"`
	Perm        *string       `toml:"perm"`
	MaxSessions int           `toml:"max_sessions"`
	ReadLimit   any           `toml:"read_limit"`
	WriteLimit  any           `toml:"write_limit"`
	LoginMsg    string        `toml:"login_msg"`
	QuitMsg     string        `toml:"quit_msg"`
	Override    []rawOverride `toml:"override"`
}

// rawHost is one [[host]] table (virtual host, RFC 7151).
type rawHost struct {
	Name        any       `toml:"name"` // a name or a list of names
	Root        string    `toml:"root"`
	Anonymous   bool      `toml:"anonymous"`
	Banner      string    `toml:"banner"`
	MaxSessions int       `toml:"max_sessions"`
	ReadLimit   any       `toml:"read_limit"`
	WriteLimit  any       `toml:"write_limit"`
	CertFile    string    `toml:"cert_file"`
	KeyFile     string    `toml:"key_file"`
	User        []rawUser `toml:"user"`
}

type rawOverride struct {
	Dir       string  `toml:"dir"`
	Perm      *string `toml:"perm"`
	Recursive bool    `toml:"recursive"`
}

type rawSystem struct {
	Enabled bool    `toml:"enabled"`
	Perm    *string `toml:"perm"`
	MinUID  *int    `toml:"min_uid"`
}

type rawTLS struct {
	CertFile            string   `toml:"cert_file"`
	KeyFile             string   `toml:"key_file"`
	ControlRequired     bool     `toml:"control_required"`
	DataRequired        bool     `toml:"data_required"`
	ImplicitListen      []string `toml:"implicit_listen"`
	RequireSessionReuse *bool    `toml:"require_session_reuse"`
}

// maxFileSize bounds what Load reads: a config file is a few kilobytes; this keeps a
// wrong path (a disk image, /dev/zero) from eating memory.
const maxFileSize = 16 << 20

// Load reads and validates the config file at path. A bad file gives an ErrorList
// (matching ErrInvalid) with every problem found, each "FILE:LINE: message"; a file that
// cannot be read gives an error naming path. Relative paths inside the file are taken
// relative to the file's directory. Load only reads: it checks that homes and TLS files
// exist but opens nothing it keeps, so calling it again (SIGHUP) is safe. Safe from any
// goroutine.
func Load(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("config: read %s: %w", path, err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("config: %s: larger than %d bytes, not a config file", path, maxFileSize)
	}
	return Parse(path, data)
}

// Parse is Load on data already in memory; name is used in messages and to resolve
// relative paths (relative to filepath.Dir(name)). Safe from any goroutine.
func Parse(name string, data []byte) (*File, error) {
	var raw rawFile
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return nil, decodeErrors(name, err)
	}
	v := &validator{name: name, pos: indexPositions(data), dir: baseDir(name)}
	f := v.file(&raw)
	if len(v.errs) > 0 {
		sort.SliceStable(v.errs, func(i, j int) bool { return v.errs[i].Line < v.errs[j].Line })
		return nil, v.errs
	}
	return f, nil
}

// decodeErrors turns go-toml's errors into an ErrorList with friendlier messages.
func decodeErrors(name string, err error) error {
	var strict *toml.StrictMissingError
	if errors.As(err, &strict) {
		var l ErrorList
		for i := range strict.Errors {
			e := &strict.Errors[i]
			line, col := e.Position()
			l = append(l, &Error{File: name, Line: line, Column: col,
				Msg: fmt.Sprintf("unknown key %q (misspelt, or in the wrong table?)", strings.Join(e.Key(), "."))})
		}
		return l
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		line, col := de.Position()
		return ErrorList{{File: name, Line: line, Column: col, Msg: decodeMessage(de)}}
	}
	return ErrorList{{File: name, Msg: err.Error()}}
}

// typeMismatch matches go-toml's type errors, which name Go types.
var typeMismatch = regexp.MustCompile(`^cannot decode TOML (\w+) into .* of type (.+)$`)

// goTypeWords says in TOML's words what each Go type of the raw structs wants.
var goTypeWords = map[string]string{
	"int": "an integer", "string": "a string", "bool": "true or false",
	"*int": "an integer", "*string": "a string", "*bool": "true or false",
	"[]string": "a list of strings", "*[]string": "a list of strings",
	"map[string]string": "a table of strings",
}

func decodeMessage(de *toml.DecodeError) string {
	msg := strings.TrimPrefix(de.Error(), "toml: ")
	key := strings.Join(de.Key(), ".")
	if m := typeMismatch.FindStringSubmatch(msg); m != nil {
		want := goTypeWords[m[2]]
		switch {
		case strings.HasPrefix(m[2], "config.raw"):
			want = "a table"
		case strings.HasPrefix(m[2], "[]config.raw"):
			want = "an array of tables [[" + key + "]]"
		case want == "":
			want = m[2]
		}
		return fmt.Sprintf("%s: want %s, not a TOML %s", key, want, m[1])
	}
	if key != "" && !strings.Contains(msg, key) {
		return key + ": " + msg
	}
	return msg
}
