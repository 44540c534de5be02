package otbr

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/threadmap/threadmap/thread/capped"
	"github.com/threadmap/threadmap/thread/topology"
)

// maxImportFile bounds one saved answer (a mesh of hundreds of devices is a
// few MB).
const maxImportFile = 64 << 20

// Import builds a snapshot from saved REST answers: one file holding a
// GET /diagnostics (legacy) or GET /api/diagnostics (JSON:API or plain
// JSON) body, or a directory of saved answers. In a directory every file is
// read and recognised by its content: diagnostics, /api/devices, /node or
// /api/node, /node/dataset/active; capture metadata, error documents and
// other answers are listed in the report's notes.
func Import(ctx context.Context, path string) (*topology.Snapshot, error) {
	start := time.Now()
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("import otbr: %w", err)
	}
	var files []string
	if st.IsDir() {
		entries, err := os.ReadDir(path)
		if err != nil {
			return nil, fmt.Errorf("import otbr: %w", err)
		}
		for _, e := range entries {
			if e.Type().IsRegular() {
				files = append(files, filepath.Join(path, e.Name()))
			}
		}
		sort.Strings(files)
	} else {
		files = []string{path}
	}
	c := Collected{Report: topology.SourceReport{Name: SourceName, Target: path}}
	var taken time.Time
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		body, err := readLimited(f)
		if err != nil {
			return nil, fmt.Errorf("import otbr: %w", err)
		}
		kind, err := c.addBody(body)
		if err != nil {
			if st.IsDir() && errors.Is(err, errUnrecognised) {
				c.Report.Notes = append(c.Report.Notes, filepath.Base(f)+": not a REST answer this importer reads")
				c.Report.Queried++
				continue
			}
			return nil, fmt.Errorf("import otbr %s: %w", f, err)
		}
		_ = kind
		c.Report.Queried++
		c.Report.Answered++
		if fi, err := os.Stat(f); err == nil && fi.ModTime().After(taken) {
			taken = fi.ModTime()
		}
	}
	if c.Report.Queried == 0 {
		return nil, fmt.Errorf("import otbr %s: no diagnostics, devices or node answers found", path)
	}
	c.TakenAt = taken
	c.Report.DurationMs = time.Since(start).Milliseconds()
	return Build(c), nil
}

func readLimited(f string) ([]byte, error) {
	fh, err := os.Open(f)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	b, err := capped.ReadAll(fh, maxImportFile)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f, err)
	}
	return b, nil
}

var errUnrecognised = errors.New("not a recognised OTBR REST answer")

// Classify names what a saved REST answer is: "diagnostics", "devices",
// "node", "dataset", or "" with errUnrecognised.
func Classify(body []byte) (string, error) {
	t := bytes.TrimSpace(body)
	if len(t) == 0 {
		return "", fmt.Errorf("empty body: %w", errUnrecognised)
	}
	if t[0] == '[' {
		var items []map[string]json.RawMessage
		if err := json.Unmarshal(t, &items); err != nil {
			return "", fmt.Errorf("array of objects: %w", err)
		}
		if len(items) == 0 {
			return "diagnostics", nil
		}
		keys := lowerKeys(items[0])
		switch {
		case keys["mleidiid"] || keys["role"] || keys["omripv6address"]:
			// Device items (even the border router's, which has rloc16 too).
			return "devices", nil
		case keys["rloc16"] || keys["maccounters"] || keys["route"] || keys["leaderdata"] || keys["children"]:
			return "diagnostics", nil
		}
		if keys["extaddress"] {
			return "diagnostics", nil
		}
		return "", errUnrecognised
	}
	if t[0] != '{' {
		return "", errUnrecognised
	}
	var root map[string]json.RawMessage
	if err := json.Unmarshal(t, &root); err != nil {
		return "", fmt.Errorf("object: %w", err)
	}
	keys := lowerKeys(root)
	if data, ok := root["data"]; ok {
		var items []struct {
			Type string `json:"type"`
		}
		d := bytes.TrimSpace(data)
		if len(d) > 0 && d[0] == '{' {
			var one struct {
				Type string `json:"type"`
			}
			if err := json.Unmarshal(d, &one); err != nil {
				return "", fmt.Errorf("data: %w", err)
			}
			items = append(items, one)
		} else if err := json.Unmarshal(d, &items); err != nil {
			return "", fmt.Errorf("data: %w", err)
		}
		if len(items) == 0 {
			return "", fmt.Errorf("empty collection: %w", errUnrecognised)
		}
		switch typ := items[0].Type; {
		case isNetworkDiagnosticType(typ):
			return "diagnostics", nil
		case typ == "threadDevice" || typ == "threadBorderRouter":
			return "devices", nil
		}
		return "", errUnrecognised
	}
	switch {
	case keys["networkkey"] || keys["pskc"] || keys["activetimestamp"]:
		return "dataset", nil
	case keys["baid"] || keys["state"] && keys["extaddress"]:
		return "node", nil
	case keys["rloc16"] || keys["route"] || keys["maccounters"]:
		return "diagnostics", nil
	}
	return "", errUnrecognised
}

func lowerKeys(m map[string]json.RawMessage) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[strings.ToLower(k)] = true
	}
	return out
}

// addBody classifies and decodes one answer into c.
func (c *Collected) addBody(body []byte) (string, error) {
	kind, err := Classify(body)
	if err != nil {
		return "", err
	}
	switch kind {
	case "diagnostics":
		d, form, skipped, err := DecodeDiagnostics(body)
		if err != nil {
			return "", err
		}
		c.Diagnostics = append(c.Diagnostics, d...)
		note := fmt.Sprintf("%s diagnostics: %d entries", form, len(d))
		if skipped > 0 {
			note += fmt.Sprintf(", %d non-diagnostic items skipped", skipped)
		}
		if form == BodyLegacy {
			note += " (legacy /diagnostics lists routers and FTD children; MEDs and SEDs only in child tables)"
		}
		c.Report.Notes = append(c.Report.Notes, note)
	case "devices":
		d, err := DecodeDevices(body)
		if err != nil {
			return "", err
		}
		c.Devices = append(c.Devices, d...)
	case "node":
		n, err := DecodeNode(body)
		if err != nil {
			return "", err
		}
		if c.Self == nil || !c.Self.Attached() || n.Attached() {
			c.Self = &n
		}
	case "dataset":
		ds, err := DecodeDataset(body)
		if err != nil {
			return "", err
		}
		c.Dataset = &ds
	}
	return kind, nil
}
