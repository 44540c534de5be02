package cli

import (
	"context"
	"fmt"
)

// decode (diag | txt) (HEX | FILE | -): decodeDiag lives in cmd_decode_diag.go,
// decodeTXT in cmd_decode_txt.go.
func runDecode(ctx context.Context, env *Env, a []string) error {
	if len(a) == 0 {
		return usagef("usage: %s", decodeUsage)
	}
	switch a[0] {
	case "diag":
		return decodeDiag(ctx, env, a[1:])
	case "txt":
		return decodeTXT(ctx, env, a[1:])
	case "-h", "-help", "--help", "help":
		fmt.Fprintf(env.Stdout, "usage: %s\n%s", decodeUsage, decodeHelp)
		return nil
	}
	return usagef("unknown kind %q (want diag or txt; threadmap decode -h shows both)", a[0])
}

const decodeUsage = "threadmap decode (diag | txt) (HEX | FILE | -)"

const decodeHelp = `  diag   Network Diagnostic TLVs (a DIAG_GET answer's payload) as JSON
  txt    a MeshCoP _meshcop._udp TXT record as JSON
HEX is the bytes in hex, FILE a file holding them (binary or hex), - reads stdin.
Run 'threadmap decode diag -h' or 'threadmap decode txt -h' for each kind's flags.
`
