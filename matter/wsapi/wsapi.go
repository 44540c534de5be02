// Package wsapi is the Matter server WebSocket API as python-matter-server
// (and the matter.js server that mimics it) speaks it: JSON text messages
// over ws://HOST:5580/ws. On connect the server sends its ServerInfo; the
// client sends commands {"message_id", "command", "args"}; the server
// answers each with {"message_id", "result"} or {"message_id",
// "error_code", "details"}; after start_listening it also pushes events
// {"event", "data"}. The client (matter/client) and the simulator
// (matter/mattersim) share these types.
package wsapi

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Defaults of python-matter-server.
const (
	DefaultPort = 5580
	DefaultPath = "/ws"
)

// ClientSchemaVersion is the API schema threadmap speaks (python-matter-
// server's SCHEMA_VERSION when this was written). threadmap uses only
// commands that exist in every schema (start_listening, get_nodes,
// get_node, server_info), so it accepts any server whose
// min_supported_schema_version is at most this.
const ClientSchemaVersion = 11

// MinServerSchemaVersion is the oldest server schema accepted.
const MinServerSchemaVersion = 1

// Commands threadmap sends (and the simulator answers).
const (
	CommandStartListening = "start_listening"
	CommandGetNodes       = "get_nodes"
	CommandGetNode        = "get_node"
	CommandServerInfo     = "server_info"
	CommandDiagnostics    = "diagnostics"
)

// Events the server pushes after start_listening.
const (
	EventNodeAdded         = "node_added"
	EventNodeUpdated       = "node_updated"
	EventNodeRemoved       = "node_removed"
	EventNodeEvent         = "node_event"
	EventAttributeUpdated  = "attribute_updated"
	EventServerShutdown    = "server_shutdown"
	EventServerInfoUpdated = "server_info_updated"
	EventEndpointAdded     = "endpoint_added"
	EventEndpointRemoved   = "endpoint_removed"
)

// Error codes (matter_server/common/errors.py).
const (
	ErrorUnknown         = 0
	ErrorNodeNotExists   = 5
	ErrorInvalidArgument = 8
	ErrorInvalidCommand  = 9
)

// ServerInfo is the first message on every connection.
type ServerInfo struct {
	FabricID                  uint64 `json:"fabric_id"`
	CompressedFabricID        uint64 `json:"compressed_fabric_id"`
	SchemaVersion             int    `json:"schema_version"`
	MinSupportedSchemaVersion int    `json:"min_supported_schema_version"`
	SDKVersion                string `json:"sdk_version"`
	WiFiCredentialsSet        bool   `json:"wifi_credentials_set"`
	ThreadCredentialsSet      bool   `json:"thread_credentials_set"`
	BluetoothEnabled          bool   `json:"bluetooth_enabled"`
}

// CheckCompatible says whether threadmap can talk to a server with this
// info, with a message a user can act on when not.
func (si ServerInfo) CheckCompatible() error {
	if si.SchemaVersion < MinServerSchemaVersion {
		return fmt.Errorf("server schema_version %d: not a Matter server info message or too old (need >= %d)", si.SchemaVersion, MinServerSchemaVersion)
	}
	if si.MinSupportedSchemaVersion > ClientSchemaVersion {
		return fmt.Errorf("server schema_version %d needs clients of schema >= %d; threadmap speaks %d (update threadmap)", si.SchemaVersion, si.MinSupportedSchemaVersion, ClientSchemaVersion)
	}
	return nil
}

// Command is a client → server message.
type Command struct {
	MessageID string `json:"message_id"`
	Command   string `json:"command"`
	Args      any    `json:"args,omitempty"`
}

// Result is a successful answer.
type Result struct {
	MessageID string `json:"message_id"`
	Result    any    `json:"result"`
}

// ErrorResult is a failed answer.
type ErrorResult struct {
	MessageID string `json:"message_id"`
	ErrorCode int    `json:"error_code"`
	Details   string `json:"details,omitempty"`
}

// Event is a server push.
type Event struct {
	Event string          `json:"event"`
	Data  json.RawMessage `json:"data"`
}

// Kind says what an incoming message is.
type Kind int

// Message kinds, told apart as python-matter-server does: by which keys
// are present.
const (
	KindServerInfo Kind = iota + 1
	KindResult
	KindError
	KindEvent
	KindCommand
)

// Message is one decoded server → client (or client → server) message.
type Message struct {
	Kind      Kind
	MessageID string
	// Result is the raw result of a KindResult.
	Result json.RawMessage
	// ErrorCode and Details of a KindError.
	ErrorCode int
	Details   string
	Event     Event
	Info      ServerInfo
	Command   string
	Args      json.RawMessage
}

// Parse decodes one text message.
func Parse(b []byte) (Message, error) {
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return Message{}, fmt.Errorf("matter api message: %w", err)
	}
	var m Message
	if id, ok := raw["message_id"]; ok {
		if err := json.Unmarshal(id, &m.MessageID); err != nil {
			return Message{}, fmt.Errorf("matter api message: message_id: %w", err)
		}
	}
	switch {
	case has(raw, "event"):
		m.Kind = KindEvent
		if err := json.Unmarshal(raw["event"], &m.Event.Event); err != nil {
			return Message{}, fmt.Errorf("matter api event: %w", err)
		}
		m.Event.Data = raw["data"]
	case has(raw, "error_code"):
		m.Kind = KindError
		if err := json.Unmarshal(raw["error_code"], &m.ErrorCode); err != nil {
			return Message{}, fmt.Errorf("matter api error result: error_code: %w", err)
		}
		if d, ok := raw["details"]; ok {
			_ = json.Unmarshal(d, &m.Details) // details may be null
		}
	case has(raw, "result"):
		m.Kind = KindResult
		m.Result = raw["result"]
	case has(raw, "sdk_version"):
		m.Kind = KindServerInfo
		if err := json.Unmarshal(b, &m.Info); err != nil {
			return Message{}, fmt.Errorf("matter api server info: %w", err)
		}
	case has(raw, "command"):
		m.Kind = KindCommand
		if err := json.Unmarshal(raw["command"], &m.Command); err != nil {
			return Message{}, fmt.Errorf("matter api command: %w", err)
		}
		m.Args = raw["args"]
	default:
		return Message{}, fmt.Errorf("matter api message: none of event, error_code, result, sdk_version, command")
	}
	if (m.Kind == KindResult || m.Kind == KindError || m.Kind == KindCommand) && m.MessageID == "" {
		return Message{}, fmt.Errorf("matter api message: no message_id")
	}
	return m, nil
}

func has(m map[string]json.RawMessage, k string) bool { _, ok := m[k]; return ok }

// AttributeUpdate is attribute_updated's data: [node_id, path, value].
type AttributeUpdate struct {
	NodeID uint64
	Path   string
	Value  json.RawMessage
}

// ParseAttributeUpdate reads [node_id, "endpoint/cluster/attribute", value].
func ParseAttributeUpdate(data json.RawMessage) (AttributeUpdate, error) {
	var parts []json.RawMessage
	if err := json.Unmarshal(data, &parts); err != nil || len(parts) != 3 {
		return AttributeUpdate{}, fmt.Errorf("attribute_updated: want [node_id, path, value], got %.60s", string(data))
	}
	var u AttributeUpdate
	if err := json.Unmarshal(parts[0], &u.NodeID); err != nil {
		return AttributeUpdate{}, fmt.Errorf("attribute_updated: node_id: %w", err)
	}
	if err := json.Unmarshal(parts[1], &u.Path); err != nil {
		return AttributeUpdate{}, fmt.Errorf("attribute_updated: path: %w", err)
	}
	u.Value = parts[2]
	return u, nil
}
