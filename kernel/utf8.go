package kernel

import (
	"strings"
	"unicode/utf8"
)

// toValidUTF8 converts output bytes to a string for JSON, replacing invalid
// sequences with U+FFFD (a multi-byte character split across two flushes is
// kept whole by splitUTF8 before this is called).
func toValidUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// splitUTF8 returns the longest prefix of b that does not end inside a
// multi-byte UTF-8 sequence, and the incomplete tail.
func splitUTF8(b []byte) (whole, tail []byte) {
	for i := 1; i <= 3 && i <= len(b); i++ {
		c := b[len(b)-i]
		if c < 0x80 {
			return b, nil // ASCII: complete
		}
		if utf8.RuneStart(c) {
			if utf8.FullRune(b[len(b)-i:]) {
				return b, nil
			}
			return b[:len(b)-i], b[len(b)-i:]
		}
	}
	return b, nil
}
