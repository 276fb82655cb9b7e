package runproto

import (
	"bytes"
	"strconv"
)

// markerPrefix and markerSuffix frame a sync marker in the runner's output
// streams. It is an OSC escape sequence, which no terminal prints and no
// ordinary program writes; the supervisor removes it before publishing.
const (
	markerPrefix = "\x1b]gonote-sync;"
	markerSuffix = "\x07"
	// maxMarkerDigits is the length of the longest uint64 in decimal.
	maxMarkerDigits = 20
)

// SyncMarker returns the bytes the runner writes to fd 1 and fd 2 before an
// Event with Sync == n. A write this short to a pipe is atomic.
func SyncMarker(n uint64) []byte {
	return []byte(markerPrefix + strconv.FormatUint(n, 10) + markerSuffix)
}

// MarkerScanner separates output text from sync markers in a byte stream
// that arrives in arbitrary chunks (a marker may be split across reads).
type MarkerScanner struct {
	pending []byte
}

// Feed consumes a chunk and returns the text that is certainly output, and
// the markers seen in it, in stream order: text[i] precedes markers[i], and a
// final text element may follow the last marker. Bytes that could be the
// start of a marker are kept until the next Feed or Flush.
func (s *MarkerScanner) Feed(chunk []byte) (texts [][]byte, markers []uint64) {
	buf := append(s.pending, chunk...)
	start, from := 0, 0
	for {
		i := bytes.Index(buf[from:], []byte(markerPrefix))
		if i < 0 {
			break
		}
		i += from
		rest := buf[i+len(markerPrefix):]
		j := bytes.IndexByte(rest, markerSuffix[0])
		if j < 0 && len(rest) <= maxMarkerDigits {
			// The marker is not complete yet: hold it back.
			texts = append(texts, clone(buf[start:i]))
			s.pending = clone(buf[i:])
			return texts, markers
		}
		if j >= 0 && j <= maxMarkerDigits {
			if n, err := strconv.ParseUint(string(rest[:j]), 10, 64); err == nil {
				texts = append(texts, clone(buf[start:i]))
				markers = append(markers, n)
				start = i + len(markerPrefix) + j + 1
				from = start
				continue
			}
		}
		from = i + 1 // looked like a marker but is not one: plain text
	}
	end := max(len(buf)-partialPrefix(buf), start)
	texts = append(texts, clone(buf[start:end]))
	s.pending = clone(buf[end:])
	return texts, markers
}

// Flush returns any bytes held back (at end of stream).
func (s *MarkerScanner) Flush() []byte {
	out := s.pending
	s.pending = nil
	return out
}

// partialPrefix returns the length of the longest suffix of b that is a
// proper prefix of markerPrefix.
func partialPrefix(b []byte) int {
	for k := min(len(b), len(markerPrefix)-1); k > 0; k-- {
		if bytes.HasSuffix([]byte(markerPrefix[:k]), b[len(b)-k:]) {
			return k
		}
	}
	return 0
}

func clone(b []byte) []byte { return append([]byte(nil), b...) }
