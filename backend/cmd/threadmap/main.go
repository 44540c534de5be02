// Command threadmap maps a Thread mesh: see README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/threadmap/threadmap/backend/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, &cli.Env{Stdout: os.Stdout, Stderr: os.Stderr, Stdin: os.Stdin, Getenv: os.Getenv}, os.Args[1:])
	stop()
	os.Exit(code)
}
