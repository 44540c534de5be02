package app

import (
	"errors"

	"github.com/threadmap/threadmap/thread/topology"
)

// otbrSource is the OTBR REST source for baseURL. TODO(wire): thread/otbr.
func otbrSource(baseURL string) (topology.Source, error) {
	return nil, errors.New("the OTBR REST source is not available yet")
}

// matterSource is the Matter server source. TODO(wire): matter.
func matterSource(wsURL string) (topology.Source, error) {
	return nil, errors.New("the Matter server source is not available yet")
}
