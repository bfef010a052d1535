// keys.go: the list of every key the file accepts, for fastftpd's test that every key has
// a flag and every flag a key.

package config

import (
	"reflect"
	"sort"
	"strings"
)

// Keys returns every key the file accepts as a dotted path ("server.listen",
// "user.override.perm"), sorted. Keys of [[arrays of tables]] have no index.
func Keys() []string {
	var out []string
	var walk func(prefix string, t reflect.Type)
	walk = func(prefix string, t reflect.Type) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
			if name == "" || name == "-" {
				continue
			}
			path := join(prefix, name)
			ft := f.Type
			for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				walk(path, ft)
				continue
			}
			out = append(out, path)
		}
	}
	walk("", reflect.TypeOf(rawFile{}))
	sort.Strings(out)
	return out
}
