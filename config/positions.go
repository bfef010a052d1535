// positions.go: where each key sits in the file, so validation errors found after
// decoding still name a line.

package config

import (
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// position is a 1-based line and column.
type position struct{ line, col int }

// positions maps key paths to where they are written. A path joins key parts with '.'
// and gives array elements (of [[array tables]] and of value arrays) an index:
// "server.listen[1]", "user[0].override[2].perm". A table header's own path
// ("user[0]", "server") maps to the header line.
type positions map[string]position

// indexPositions walks the document's syntax tree. It is called only after the decoder
// accepted the document, so the tree is well formed; on a parser error it returns what
// it has.
func indexPositions(data []byte) positions {
	out := positions{}
	var p unstable.Parser
	p.Reset(data)
	counts := map[string]int{} // array-table path -> elements seen so far
	table := ""                // path of the current [table] or [[array table]]
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			path := ""
			it := e.Key()
			for it.Next() {
				path = join(path, string(it.Node().Data))
				if n, ok := counts[path]; ok && !(e.Kind == unstable.ArrayTable && it.IsLast()) {
					path += "[" + strconv.Itoa(n-1) + "]" // a parent that is an array table
				}
			}
			if e.Kind == unstable.ArrayTable {
				n := counts[path]
				counts[path] = n + 1
				path += "[" + strconv.Itoa(n) + "]"
			}
			table = path
			out.add(path, &p, e)
		case unstable.KeyValue:
			out.keyValue(&p, table, e)
		}
	}
	return out
}

// keyValue records a key = value expression under prefix, and the keys of inline tables
// and elements of arrays inside its value.
func (ps positions) keyValue(p *unstable.Parser, prefix string, kv *unstable.Node) {
	path := prefix
	it := kv.Key()
	var first *unstable.Node
	for it.Next() {
		if first == nil {
			first = it.Node()
		}
		path = join(path, string(it.Node().Data))
	}
	ps.add(path, p, first)
	ps.value(p, path, kv.Value())
}

func (ps positions) value(p *unstable.Parser, path string, v *unstable.Node) {
	switch v.Kind {
	case unstable.InlineTable:
		it := v.Children()
		for it.Next() {
			if it.Node().Kind == unstable.KeyValue {
				ps.keyValue(p, path, it.Node())
			}
		}
	case unstable.Array:
		i := 0
		it := v.Children()
		for it.Next() {
			n := it.Node()
			if n.Kind == unstable.Comment {
				continue
			}
			ep := path + "[" + strconv.Itoa(i) + "]"
			ps.add(ep, p, n)
			ps.value(p, ep, n)
			i++
		}
	}
}

// add records where n starts: its own bytes, or its first child's for nodes (tables,
// arrays) the parser gives no range.
func (ps positions) add(path string, p *unstable.Parser, n *unstable.Node) {
	for n != nil && n.Raw.Length == 0 {
		n = n.Child()
	}
	if n == nil {
		return
	}
	if _, dup := ps[path]; dup {
		return
	}
	s := p.Shape(n.Raw)
	ps[path] = position{s.Start.Line, s.Start.Column}
}

// at returns the position of path, or of its nearest recorded ancestor (a missing key
// is reported at its table's header), or the zero position.
func (ps positions) at(path string) position {
	for path != "" {
		if pos, ok := ps[path]; ok {
			return pos
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return position{}
}

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}
