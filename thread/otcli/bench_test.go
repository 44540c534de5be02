package otcli

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// bigTranscript is one router's transcript with a neighbor table and a
// neighbor linkquality table of rows rows each (about 190 bytes a row).
func bigTranscript(rows int) string {
	var b strings.Builder
	b.WriteString("> extaddr\nae983c48b31eb30a\nDone\n\n> rloc16\n2400\nDone\n\n> state\nrouter\nDone\n\n")
	b.WriteString("> neighbor table\n| Role | RLOC16 | Age | Avg RSSI | Last RSSI | LQ In |R|D|N| Extended MAC     | Version |\n")
	b.WriteString("+------+--------+-----+----------+-----------+-------+-+-+-+------------------+---------+\n")
	for i := 0; i < rows; i++ {
		fmt.Fprintf(&b, "|   C  | 0x%04x |  33 |      -21 |       -20 |     3 |1|0|1| %016x |       5 |\n", 0x2401+i%500, 0x1000000+i)
	}
	b.WriteString("Done\n\n> neighbor linkquality\n| RLOC16 | Extended MAC     | Frame Error | Msg Error | Avg RSS | Last RSS | Age   |\n")
	b.WriteString("+--------+------------------+-------------+-----------+---------+----------+-------+\n")
	for i := 0; i < rows; i++ {
		fmt.Fprintf(&b, "| 0x%04x | %016x |      %d.00 %% |    0.00 %% |     -21 |      -20 |    33 |\n", 0x2401+i%500, 0x1000000+i, i%7)
	}
	b.WriteString("Done\n")
	return b.String()
}

// BenchmarkImportLargeTranscript imports one router's transcript with a
// neighbor table and neighbor linkquality of 1 MB (the baseline), 8 MB and
// 62 MB (issue 13 item 7: "neighbor linkquality" looked every row up among
// all links). On this machine (2 shared cores), before the fix: 1 MB 1.2 s,
// 8 MB 74 s, 62 MB not run (quadratic: some 80 min); after: 1 MB 0.1 s,
// 8 MB 0.5–0.8 s, 62 MB 5–9 s. The whole `import --from ot-cli` of the 62 MB
// file (with topology.Normalize, whose child cross-check was quadratic
// too) went from more than 10 min (stopped) to 46 s.
func BenchmarkImportLargeTranscript(b *testing.B) {
	for _, mb := range []int{1, 8, 62} {
		text := bigTranscript(mb << 20 / 190)
		b.Run(fmt.Sprintf("%dMB", mb), func(b *testing.B) {
			t, err := ParseTranscript(strings.NewReader(text))
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(text)))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				snap, _ := ImportTranscript("big.txt", t, time.Time{})
				if len(snap.Links) < mb<<20/190 {
					b.Fatalf("%d links", len(snap.Links))
				}
			}
		})
	}
}
