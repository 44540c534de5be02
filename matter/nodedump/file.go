package nodedump

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/threadmap/threadmap/thread/capped"
)

// Dump is one node read from a file.
type Dump struct {
	// Origin names where the node came from: "file.json" or
	// "file.json: nodes[3]".
	Origin string
	Data   *NodeData
}

// maxDepth bounds how deep ParseDocument looks for node data in wrappers.
const maxDepth = 6

// ParseDocument finds the node data in one JSON document. It reads:
//   - a python-matter-server node dump (one MatterNodeData object);
//   - a list of them (the result of get_nodes / start_listening);
//   - a WebSocket result message {"message_id", "result": [...]};
//   - server diagnostics {"info", "nodes": [...]} and a server storage file
//     whose "nodes" maps node id → node;
//   - Home Assistant Matter diagnostics downloads: device diagnostics
//     {"data": {"server_info", "node": {...}}} and config-entry diagnostics
//     {"data": {"server": {"info", "nodes": [...]}}}.
//
// A document holding no node data is an error naming origin.
func ParseDocument(b []byte, origin string) ([]Dump, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var root json.RawMessage
	if err := dec.Decode(&root); err != nil {
		return nil, fmt.Errorf("%s: not JSON: %w", origin, err)
	}
	var out []Dump
	if err := findNodes(root, origin, "", 0, &out); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no Matter node data (want a node dump with node_id and attributes, a list of them, or a Home Assistant Matter diagnostics file)", origin)
	}
	return out, nil
}

func findNodes(raw json.RawMessage, origin, where string, depth int, out *[]Dump) error {
	if depth > maxDepth {
		return nil
	}
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 {
		return nil
	}
	label := origin
	if where != "" {
		label = origin + ": " + where
	}
	switch trimmed[0] {
	case '[':
		var list []json.RawMessage
		if err := json.Unmarshal(trimmed, &list); err != nil {
			return fmt.Errorf("%s: %w", label, err)
		}
		for i, item := range list {
			if err := findNodes(item, origin, fmt.Sprintf("%s[%d]", where, i), depth+1, out); err != nil {
				return err
			}
		}
	case '{':
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(trimmed, &obj); err != nil {
			return fmt.Errorf("%s: %w", label, err)
		}
		_, hasID := obj["node_id"]
		_, hasAttrs := obj["attributes"]
		if hasID && hasAttrs {
			nd, err := nodeDataFromObject(obj)
			if err != nil {
				return fmt.Errorf("%s: %w", label, err)
			}
			*out = append(*out, Dump{Origin: label, Data: nd})
			return nil
		}
		for _, key := range []string{"data", "server", "node", "nodes", "result"} {
			v, ok := obj[key]
			if !ok {
				continue
			}
			sub := key
			if where != "" {
				sub = where + "." + key
			}
			// A storage file's "nodes" maps node id → node data.
			if key == "nodes" && len(bytes.TrimSpace(v)) > 0 && bytes.TrimSpace(v)[0] == '{' {
				var m map[string]json.RawMessage
				if err := json.Unmarshal(v, &m); err != nil {
					return fmt.Errorf("%s: %s: %w", origin, sub, err)
				}
				for _, k := range sortedKeys(m) {
					if err := findNodes(m[k], origin, sub+"."+k, depth+1, out); err != nil {
						return err
					}
				}
				continue
			}
			if err := findNodes(v, origin, sub, depth+1, out); err != nil {
				return err
			}
		}
	}
	return nil
}

// MaxFile bounds one dump file (a whole Matter server's get_nodes answer
// is a few MB; it matches the WebSocket client's message limit), MaxTotal
// all the files of a directory.
const (
	MaxFile  = 16 << 20
	MaxTotal = 64 << 20
)

// ReadPath reads one file, or every *.json file under a directory (in
// name order), each at most MaxFile bytes and MaxTotal in all (pipes and
// devices too). Any file that is not node data is an error naming it.
func ReadPath(ctx context.Context, path string) ([]Dump, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("matter dump: %w", err)
	}
	if !st.IsDir() {
		b, err := capped.ReadFile(ctx, path, MaxFile)
		if err != nil {
			return nil, fmt.Errorf("matter dump: %w", err)
		}
		return ParseDocument(b, path)
	}
	files, err := capped.FilesIn(path, ".json")
	if err != nil {
		return nil, fmt.Errorf("matter dump: %w", err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("matter dump: no *.json files in %s", path)
	}
	var out []Dump
	total := 0
	for _, f := range files {
		b, err := capped.ReadFile(ctx, f, MaxFile)
		if err != nil {
			return nil, fmt.Errorf("matter dump: %w", err)
		}
		if total += len(b); total > MaxTotal {
			return nil, fmt.Errorf("matter dump: %s: %w", path, capped.TooLarge(MaxTotal))
		}
		d, err := ParseDocument(b, f)
		if err != nil {
			return nil, err
		}
		out = append(out, d...)
	}
	return out, nil
}
