package otbr

import (
	"os"
	"path/filepath"
	"testing"
)

// seedAll adds every saved REST answer of the real captures (and the
// python-otbr-api responses) as seeds.
func seedAll(f *testing.F) {
	f.Helper()
	for _, dir := range []string{legacyDir, currentDir, queryDir} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			f.Fatal(err)
		}
		for _, e := range entries {
			if e.IsDir() || filepath.Ext(e.Name()) != ".body" {
				continue
			}
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Add([]byte(`[{"extAddress":"0011223344556677","rloc16":"0x5000","children":[{"rloc16":"0x5001","extAddress":"0011223344556678","deviceTypeFTD":1,"connectionTime":3}]}]`))
	f.Add([]byte(`{"data":{"id":"x","type":"networkDiagnostics","attributes":{"rloc16":65535,"route64":{"routeData":[{"routeId":62,"linkQualityIn":3}]}}}}`))
}

func FuzzDecodeDiagnostics(f *testing.F) {
	seedAll(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		diags, _, _, err := DecodeDiagnostics(b)
		if err != nil {
			return
		}
		// Whatever decodes must build a snapshot without panicking.
		Build(Collected{Diagnostics: diags})
	})
}

func FuzzDecodeDevices(f *testing.F) {
	seedAll(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		devs, err := DecodeDevices(b)
		if err != nil {
			return
		}
		for _, d := range devs {
			d.TrueMode()
		}
		Build(Collected{Devices: devs})
	})
}

func FuzzDecodeNode(f *testing.F) {
	seedAll(f)
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = DecodeNode(b) })
}

func FuzzDecodeDataset(f *testing.F) {
	seedAll(f)
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = DecodeDataset(b) })
}

func FuzzDecodeWellKnown(f *testing.F) {
	seedAll(f)
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = DecodeWellKnown(b) })
}

func FuzzDecodeActions(f *testing.F) {
	seedAll(f)
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = DecodeActions(b) })
}

// FuzzImportBody covers the importer's classification and decoding of one
// saved answer.
func FuzzImportBody(f *testing.F) {
	seedAll(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		var c Collected
		if _, err := c.addBody(b); err == nil {
			Build(c)
		}
	})
}
