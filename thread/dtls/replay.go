package dtls

// replayWindow is the anti-replay sliding window of RFC 6347 4.1.2.6 for one epoch.
type replayWindow struct {
	top    uint64 // highest sequence number accepted
	bitmap uint64 // bit i set: top-i was accepted
	any    bool
}

const replayWindowSize = 64

// seen reports whether seq is a replay or too old to tell.
func (w *replayWindow) seen(seq uint64) bool {
	if !w.any || seq > w.top {
		return false
	}
	d := w.top - seq
	if d >= replayWindowSize {
		return true
	}
	return w.bitmap&(1<<d) != 0
}

// accept records seq as received (after the record authenticated).
func (w *replayWindow) accept(seq uint64) {
	if !w.any {
		w.any, w.top, w.bitmap = true, seq, 1
		return
	}
	if seq > w.top {
		shift := seq - w.top
		if shift >= replayWindowSize {
			w.bitmap = 0
		} else {
			w.bitmap <<= shift
		}
		w.bitmap |= 1
		w.top = seq
		return
	}
	w.bitmap |= 1 << (w.top - seq)
}
