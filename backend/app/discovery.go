package app

import (
	"context"
	"errors"
)

// startDiscovery browses _meshcop._udp on the configured interfaces.
// TODO(wire): thread/meshcop.
func (a *App) startDiscovery(ctx context.Context) error {
	return errors.New("discovery not wired yet")
}

// startDemo starts the simulated mesh. TODO(wire): threadsim.
func (a *App) startDemo(ctx context.Context) error {
	return errors.New("demo not wired yet")
}
