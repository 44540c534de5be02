package cli

import (
	"context"
)

// decode (diag | txt) (HEX | FILE | -): decodeDiag lives in cmd_decode_diag.go,
// decodeTXT in cmd_decode_txt.go.
func runDecode(ctx context.Context, env *Env, a []string) error {
	if len(a) == 0 {
		return usagef("usage: threadmap decode (diag | txt) (HEX | FILE | -)")
	}
	switch a[0] {
	case "diag":
		return decodeDiag(ctx, env, a[1:])
	case "txt":
		return decodeTXT(ctx, env, a[1:])
	}
	return usagef("decode: unknown kind %q (want diag or txt)", a[0])
}
