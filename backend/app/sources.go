package app

import (
	"errors"

	"github.com/threadmap/threadmap/thread/otbr"
	"github.com/threadmap/threadmap/thread/topology"
)

// otbrSource is the OTBR REST source for baseURL (thread/otbr).
func otbrSource(baseURL string) (topology.Source, error) {
	return otbr.NewSource(baseURL, otbr.Options{})
}

// matterSource is the Matter server source. TODO(wire): matter.
func matterSource(wsURL string) (topology.Source, error) {
	return nil, errors.New("the Matter server source is not available yet")
}
