package cli

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
	"unicode"

	"github.com/threadmap/threadmap/thread/capped"
	"github.com/threadmap/threadmap/thread/diag"
	"github.com/threadmap/threadmap/thread/topology"
)

// decode diag (HEX | FILE | -): the Network Diagnostic TLVs of one payload
// as JSON: the TLV split (offset, type, name, length, value hex), the
// typed decode and the decoded Network Data (TLV 7: prefixes, border
// routers, routes, services). Network Data that does not decode is printed
// raw with the error, and the exit status is 1. The input is hex as users paste it from a packet capture
// (spaces, colons, dashes, newlines and 0x prefixes allowed), or a file (or
// stdin) holding such hex or the raw bytes.
func decodeDiag(ctx context.Context, env *Env, a []string) error {
	fs := newFlagSet(env, "decode diag")
	pos, err := parseFlags(fs, a, 1)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("usage: threadmap decode diag (HEX | FILE | -)")
	}
	payload, err := diagInput(ctx, env, pos[0])
	if err != nil {
		return err
	}
	out, err := describeDiag(payload)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return err
	}
	if out.NetworkDataError != "" {
		return fmt.Errorf("decode diag: %s", out.NetworkDataError)
	}
	return nil
}

// diagTLVJSON is one TLV of the split.
type diagTLVJSON struct {
	Offset   int    `json:"offset"`
	Type     uint8  `json:"type"`
	Name     string `json:"name"`
	Length   int    `json:"length"`
	Extended bool   `json:"extended,omitempty"`
	ValueHex string `json:"value_hex"`
}

// diagJSON is what `decode diag` prints.
type diagJSON struct {
	Length  int           `json:"length"`
	TLVs    []diagTLVJSON `json:"tlvs"`
	Message *diag.Message `json:"message"`
	// NetworkData is TLV 7 decoded, in the API's shape (the canonical
	// topology JSON's network.network_data; no node is known, so each
	// publisher is "rloc:0x...."); NetworkDataError says why it is not.
	NetworkData      *topology.NetworkData `json:"network_data,omitempty"`
	NetworkDataError string                `json:"network_data_error,omitempty"`
}

func describeDiag(b []byte) (*diagJSON, error) {
	tlvs, err := diag.ParseTLVs(b)
	if err != nil {
		return nil, err
	}
	m, err := diag.Decode(b)
	if err != nil {
		return nil, err
	}
	out := &diagJSON{Length: len(b), TLVs: []diagTLVJSON{}, Message: m}
	if nd, err := m.DecodedNetworkData(); err != nil {
		out.NetworkDataError = err.Error()
	} else if nd != nil {
		// Normalize points the publishers at nodes as the API does.
		snap := topology.New(time.Time{})
		snap.Network.NetworkData = nd.Model("diag")
		topology.Normalize(snap)
		out.NetworkData = snap.Network.NetworkData
	}
	for _, t := range tlvs {
		name := t.Type.Name()
		if name == "" {
			name = "unknown"
		}
		out.TLVs = append(out.TLVs, diagTLVJSON{Offset: t.Offset, Type: uint8(t.Type), Name: name,
			Length: len(t.Value), Extended: t.Extended, ValueHex: hex.EncodeToString(t.Value)})
	}
	return out, nil
}

// maxDiagInput bounds decode diag's input (one payload is at most an IPv6
// datagram; its hex with separators is far below this).
const maxDiagInput = 1 << 20

// diagInput reads the argument: "-" is stdin, an existing file is read,
// anything else must be hex.
func diagInput(ctx context.Context, env *Env, arg string) ([]byte, error) {
	var data []byte
	from := "argument"
	switch {
	case arg == "-":
		b, err := capped.ReadAll(env.Stdin, maxDiagInput)
		if err != nil {
			return nil, fmt.Errorf("decode diag: read stdin: %w", err)
		}
		data, from = b, "stdin"
		if len(bytes.TrimSpace(data)) == 0 {
			return nil, errors.New("decode diag: stdin is empty: no payload to decode")
		}
	default:
		if st, err := os.Stat(arg); err == nil && !st.IsDir() {
			b, err := capped.ReadFile(ctx, arg, maxDiagInput)
			if err != nil {
				return nil, fmt.Errorf("decode diag: %w", err)
			}
			data, from = b, arg
			if len(bytes.TrimSpace(data)) == 0 {
				return nil, fmt.Errorf("decode diag: %s is empty: no payload to decode", arg)
			}
			if b, err := parseHexText(string(data)); err == nil {
				return b, nil
			}
			return data, nil // a binary payload
		}
		data = []byte(arg)
	}
	b, err := parseHexText(string(data))
	if err != nil {
		if from == "argument" {
			return nil, usagef("decode diag: %q is neither a file nor hex: %v", shorten(arg), err)
		}
		return nil, fmt.Errorf("decode diag: %s: %w", from, err)
	}
	return b, nil
}

// parseHexText reads hex with optional separators (space, tab, newline,
// ':', '-', ',') and "0x" prefixes.
func parseHexText(s string) ([]byte, error) {
	var sb strings.Builder
	fields := strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r == ':' || r == '-' || r == ','
	})
	for _, f := range fields {
		f = strings.TrimPrefix(strings.TrimPrefix(f, "0x"), "0X")
		sb.WriteString(f)
	}
	h := sb.String()
	if h == "" {
		return nil, fmt.Errorf("no hex digits")
	}
	for i, r := range h {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return nil, fmt.Errorf("%q at hex digit %d is not hex", r, i)
		}
	}
	if len(h)%2 != 0 {
		return nil, fmt.Errorf("odd number of hex digits (%d)", len(h))
	}
	return hex.DecodeString(h)
}

func shorten(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
