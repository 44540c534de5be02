package wsapi

import (
	"strings"
	"testing"
)

// Message shapes as python-matter-server sends them.
var (
	serverInfo  = `{"fabric_id": 1, "compressed_fabric_id": 18446744073709551615, "schema_version": 11, "min_supported_schema_version": 9, "sdk_version": "2025.7.0", "wifi_credentials_set": false, "thread_credentials_set": true, "bluetooth_enabled": false}`
	result      = `{"message_id": "3", "result": [{"node_id": 12, "date_commissioned": "2026-01-12T17:05:18.823583", "last_interview": "2026-01-12T17:12:42.428644", "interview_version": 6, "available": true, "is_bridge": false, "attributes": {"0/53/4": 12054125955590472924}, "attribute_subscriptions": []}]}`
	errorResult = `{"message_id": "4", "error_code": 9, "details": "Invalid command: nope"}`
	attrUpdated = `{"event": "attribute_updated", "data": [12, "0/53/7", [{"0": 12864791528929066571, "2": 11264}]]}`
	nodeRemoved = `{"event": "node_removed", "data": 12}`
	command     = `{"message_id": "1", "command": "start_listening"}`
)

func TestParse(t *testing.T) {
	m, err := Parse([]byte(serverInfo))
	if err != nil || m.Kind != KindServerInfo || m.Info.CompressedFabricID != 18446744073709551615 || m.Info.SchemaVersion != 11 {
		t.Errorf("server info: %+v %v", m, err)
	}
	if err := m.Info.CheckCompatible(); err != nil {
		t.Errorf("compatible: %v", err)
	}
	m, err = Parse([]byte(result))
	if err != nil || m.Kind != KindResult || m.MessageID != "3" || !strings.Contains(string(m.Result), "12054125955590472924") {
		t.Errorf("result: %+v %v", m, err)
	}
	m, err = Parse([]byte(errorResult))
	if err != nil || m.Kind != KindError || m.ErrorCode != 9 || m.Details != "Invalid command: nope" {
		t.Errorf("error: %+v %v", m, err)
	}
	m, err = Parse([]byte(attrUpdated))
	if err != nil || m.Kind != KindEvent || m.Event.Event != EventAttributeUpdated {
		t.Fatalf("event: %+v %v", m, err)
	}
	u, err := ParseAttributeUpdate(m.Event.Data)
	if err != nil || u.NodeID != 12 || u.Path != "0/53/7" || !strings.Contains(string(u.Value), "12864791528929066571") {
		t.Errorf("attribute update: %+v %v", u, err)
	}
	m, err = Parse([]byte(nodeRemoved))
	if err != nil || m.Event.Event != EventNodeRemoved || string(m.Event.Data) != "12" {
		t.Errorf("node_removed: %+v %v", m, err)
	}
	m, err = Parse([]byte(command))
	if err != nil || m.Kind != KindCommand || m.Command != CommandStartListening {
		t.Errorf("command: %+v %v", m, err)
	}
	for _, bad := range []string{``, `[]`, `{}`, `{"result": 1}`, `{"event": 5}`, `{"message_id": 3, "result": 1}`, `{"error_code": "x", "message_id": "1"}`} {
		if _, err := Parse([]byte(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	for _, bad := range []string{`[1, "0/1/2"]`, `{}`, `["x", "0/1/2", 3]`, `[1, 2, 3]`} {
		if _, err := ParseAttributeUpdate([]byte(bad)); err == nil {
			t.Errorf("attribute update %q accepted", bad)
		}
	}
}

func TestCheckCompatible(t *testing.T) {
	for _, c := range []struct {
		info ServerInfo
		ok   bool
	}{
		{ServerInfo{SchemaVersion: 11, MinSupportedSchemaVersion: 9}, true},
		{ServerInfo{SchemaVersion: 5, MinSupportedSchemaVersion: 2}, true},
		{ServerInfo{SchemaVersion: 13, MinSupportedSchemaVersion: 11}, true},
		{ServerInfo{SchemaVersion: 13, MinSupportedSchemaVersion: 12}, false},
		{ServerInfo{SchemaVersion: 0}, false},
	} {
		if err := c.info.CheckCompatible(); (err == nil) != c.ok {
			t.Errorf("%+v: %v", c.info, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{serverInfo, result, errorResult, attrUpdated, nodeRemoved, command} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse(b)
		if err != nil {
			return
		}
		if m.Kind == KindEvent && m.Event.Event == EventAttributeUpdated {
			_, _ = ParseAttributeUpdate(m.Event.Data)
		}
	})
}
