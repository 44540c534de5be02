package store

import (
	"fmt"
	"sort"
	"strings"

	"github.com/threadmap/threadmap/thread/topology"
)

// MatchNetwork finds the stored network that spec names, among infos (from
// Networks): a network key as stored; an extended PAN ID in any case, with
// or without a 0x prefix; or name:NAME, the network name (exactly, else
// ignoring case) even when the network is keyed by its ext PAN ID. An empty
// spec is the only stored network. A spec that names nothing, or a name
// several networks share, is an error wrapping ErrNotFound that lists the
// stored networks.
func MatchNetwork(infos []NetworkInfo, spec string) (string, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		switch len(infos) {
		case 0:
			return "", fmt.Errorf("no snapshot stored yet: %w", ErrNotFound)
		case 1:
			return infos[0].Key, nil
		}
		return "", fmt.Errorf("%d networks are stored, name one (%s): %w", len(infos), knownNetworks(infos), ErrNotFound)
	}
	for _, ni := range infos {
		if ni.Key == spec {
			return ni.Key, nil
		}
	}
	if name, ok := strings.CutPrefix(spec, "name:"); ok {
		for _, fold := range []bool{false, true} {
			var hits []string
			for _, ni := range infos {
				n := ni.Network.Name
				if n == name || fold && strings.EqualFold(n, name) {
					hits = append(hits, ni.Key)
				}
			}
			switch len(hits) {
			case 0:
				continue
			case 1:
				return hits[0], nil
			}
			sort.Strings(hits)
			return "", fmt.Errorf("network name %q is shared by %s; give the key: %w", name, strings.Join(hits, ", "), ErrNotFound)
		}
	} else {
		xp := strings.ToLower(strings.TrimPrefix(strings.TrimPrefix(spec, "0x"), "0X"))
		for _, ni := range infos {
			if ni.Key == xp {
				return ni.Key, nil
			}
		}
	}
	return "", fmt.Errorf("network %q: no snapshot stored (known: %s): %w", spec, knownNetworks(infos), ErrNotFound)
}

// knownNetworks lists infos as "key (name), ..." for messages.
func knownNetworks(infos []NetworkInfo) string {
	if len(infos) == 0 {
		return "none"
	}
	out := make([]string, 0, len(infos))
	for _, ni := range infos {
		s := ni.Key
		if ni.Network.Name != "" && !strings.HasPrefix(ni.Key, "name:") {
			s += " (name:" + ni.Network.Name + ")"
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// ResolveNetwork is MatchNetwork over the stored networks.
func (s *Store) ResolveNetwork(spec string) (string, error) {
	infos, err := s.Networks()
	if err != nil {
		return "", err
	}
	return MatchNetwork(infos, spec)
}

// JoinByPrefix gives snapshot s, when it has no network identity of its own
// (no ext PAN ID, no name: a single OTBR diagnostics answer, a TMF crawl),
// the identity of the stored network whose newest snapshot has the same
// mesh-local prefix: that is the network it was taken of. It returns the
// key s now has, or "" when s keeps its own (it has an identity, no prefix,
// or no stored network — or more than one — has that prefix).
func JoinByPrefix(infos []NetworkInfo, s *topology.Snapshot) string {
	if s.Network.Key() != "unknown" || s.Network.MeshLocalPrefix == "" {
		return ""
	}
	var hit *NetworkInfo
	for i := range infos {
		if infos[i].Network.MeshLocalPrefix == s.Network.MeshLocalPrefix && infos[i].Key != "unknown" {
			if hit != nil {
				return ""
			}
			hit = &infos[i]
		}
	}
	if hit == nil {
		return ""
	}
	id := hit.Network
	n := &s.Network
	n.Name, n.ExtPanID = id.Name, id.ExtPanID
	if n.PanID == "" {
		n.PanID = id.PanID
	}
	if n.Channel == 0 {
		n.Channel = id.Channel
	}
	return n.Key()
}
