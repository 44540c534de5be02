package otbrsim

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/threadmap/threadmap/thread/otbr"
)

// FuzzPostActions feeds POST /api/actions bodies to the simulator's task
// decoder: any body gets a status, never a panic.
func FuzzPostActions(f *testing.F) {
	for _, name := range []string{"22_POST_api_actions_updateDeviceCollectionTask.meta.json", "26_POST_getNetworkDiagnosticTask_5a7324b8eee603d2.meta.json"} {
		b, err := os.ReadFile(filepath.Join(currentDir, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b) // the metadata itself: not a task document
	}
	f.Add([]byte(`{"data": [{"type": "updateDeviceCollectionTask", "attributes": {"deviceCount": 9, "maxAge": 30, "maxRetries": 5, "timeout": 60}}]}`))
	f.Add([]byte(`{"data": [{"type": "getNetworkDiagnosticTask", "attributes": {"destination": "5a7324b8eee603d2", "types": ["children"], "timeout": 30}}]}`))
	f.Add([]byte(`{"data": [{"type": "getNetworkDiagnosticTask", "attributes": {"destination": 5, "types": [1.5], "timeout": -1}}]}`))
	snap := mustSmallCurrent(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		s, err := NewWithOptions(snap, otbr.DialectJSONAPI2026, Options{})
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodPost, "/api/actions", bytes.NewReader(body))
		req.Header.Set("Content-Type", mediaJSONAPI)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code == 0 {
			t.Fatal("no status")
		}
		req = httptest.NewRequest(http.MethodGet, "/api/actions", nil)
		req.Header.Set("Accept", mediaJSONAPI)
		s.ServeHTTP(httptest.NewRecorder(), req)
	})
}
