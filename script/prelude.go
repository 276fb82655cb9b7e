package script

// preludeImports are imported under private names in every interpreter.
const preludeImports = `import (
	_gonote "` + cellrtPath + `"
	_gonotefmt "fmt"
	_gonotecontext "context"
	_gonoteos "os"
	_gonotesort "sort"
)`

// prelude declares the interpreted helpers the rewrites call: generic
// replacements for min, max and the standard generics yaegi cannot run.
const prelude = `
type _gonoteOrdered interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr | ~float32 | ~float64 | ~string
}

func _gonoteMin[T _gonoteOrdered](x T, ys ...T) T {
	for _, y := range ys {
		if y < x || y != y {
			x = y
		}
	}
	return x
}

func _gonoteMax[T _gonoteOrdered](x T, ys ...T) T {
	for _, y := range ys {
		if y > x || y != y {
			x = y
		}
	}
	return x
}

func _gonoteLookup[K comparable, V any](m map[K]V, k K) (V, bool) {
	v, ok := m[k]
	return v, ok
}

func _gonoteRecv[T any](ch chan T) (T, bool) {
	v, ok := <-ch
	return v, ok
}

func _gonoteKeys[K comparable, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}

func _gonoteValues[K comparable, V any](m map[K]V) []V {
	vals := make([]V, 0, len(m))
	for _, v := range m {
		vals = append(vals, v)
	}
	return vals
}

func _gonoteMapClone[K comparable, V any](m map[K]V) map[K]V {
	if m == nil {
		return nil
	}
	c := make(map[K]V, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

func _gonoteSliceMax[T _gonoteOrdered](s []T) T {
	if len(s) == 0 {
		panic("slices.Max: empty list")
	}
	m := s[0]
	for _, v := range s[1:] {
		if v > m || v != v {
			m = v
		}
	}
	return m
}

func _gonoteSliceMin[T _gonoteOrdered](s []T) T {
	if len(s) == 0 {
		panic("slices.Min: empty list")
	}
	m := s[0]
	for _, v := range s[1:] {
		if v < m || v != v {
			m = v
		}
	}
	return m
}

func _gonoteSorted[T _gonoteOrdered](s []T) []T {
	c := make([]T, len(s))
	copy(c, s)
	_gonote.Sort(c)
	return c
}

func _gonoteClone[T any](s []T) []T {
	if s == nil {
		return nil
	}
	c := make([]T, len(s))
	copy(c, s)
	return c
}

func _gonoteEqual[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}


func _gonoteZeroTail[E any](s []E, from, to int) {
	var zero E
	for k := from; k < to; k++ {
		s[k] = zero
	}
}

func _gonoteIndex[E comparable](s []E, v E) int {
	for i := range s {
		if s[i] == v {
			return i
		}
	}
	return -1
}

func _gonoteContains[E comparable](s []E, v E) bool {
	return _gonoteIndex(s, v) >= 0
}

// _gonoteBounds panics as the Go runtime does for a slice expression out of
// range (yaegi's message leaves out the indices).
func _gonoteBounds(format string, args ...any) {
	panic("runtime error: slice bounds out of range " + _gonotefmt.Sprintf(format, args...))
}

func _gonoteInsert[E any](s []E, i int, v ...E) []E {
	switch { // the checks of s[i:]
	case i < 0:
		_gonoteBounds("[%d:]", i)
	case i > len(s):
		_gonoteBounds("[%d:%d]", i, len(s))
	}
	n, m := len(s), len(v)
	if m == 0 {
		return s
	}
	if n+m > cap(s) {
		r := append(s[:i:i], v...)
		return append(r, s[i:]...)
	}
	v = append([]E(nil), v...) // v may be a view of s
	r := s[:n+m]
	copy(r[i+m:], s[i:])
	copy(r[i:], v)
	return r
}

func _gonoteDelete[E any](s []E, i, j int) []E {
	switch { // the checks of s[i:j:len(s)]
	case j < 0:
		_gonoteBounds("[:%d:]", j)
	case j > len(s):
		_gonoteBounds("[:%d:%d]", j, len(s))
	case i < 0:
		_gonoteBounds("[%d::]", i)
	case i > j:
		_gonoteBounds("[%d:%d:]", i, j)
	}
	if i == j {
		return s
	}
	n := len(s)
	s = append(s[:i], s[j:]...)
	_gonoteZeroTail(s[:n], len(s), n)
	return s
}

func _gonoteDeleteFunc[E any](s []E, del func(E) bool) []E {
	i := 0
	for i < len(s) && !del(s[i]) {
		i++
	}
	if i == len(s) {
		return s
	}
	for k := i + 1; k < len(s); k++ {
		if !del(s[k]) {
			s[i] = s[k]
			i++
		}
	}
	_gonoteZeroTail(s, i, len(s))
	return s[:i]
}

func _gonoteReplace[E any](s []E, i, j int, v ...E) []E {
	switch { // the checks of s[i:j] and s[j:]
	case j < 0:
		_gonoteBounds("[:%d]", j)
	case j > cap(s):
		_gonoteBounds("[:%d] with capacity %d", j, cap(s))
	case i < 0:
		_gonoteBounds("[%d:]", i)
	case i > j:
		_gonoteBounds("[%d:%d]", i, j)
	case j > len(s):
		_gonoteBounds("[%d:%d]", j, len(s))
	}
	n, m := len(s), len(v)
	size := n - (j - i) + m
	if size > cap(s) {
		r := make([]E, 0, size)
		r = append(r, s[:i]...)
		r = append(r, v...)
		return append(r, s[j:]...)
	}
	v = append([]E(nil), v...) // v may be a view of s
	r := s[:size]
	copy(r[i+m:], s[j:n])
	copy(r[i:], v)
	if size < n {
		_gonoteZeroTail(s, size, n)
	}
	return r
}

func _gonoteCompact[E comparable](s []E) []E {
	return _gonoteCompactFunc(s, func(a, b E) bool { return a == b })
}

func _gonoteCompactFunc[E any](s []E, eq func(E, E) bool) []E {
	if len(s) < 2 {
		return s
	}
	i := 1
	for k := 1; k < len(s); k++ {
		if !eq(s[k], s[k-1]) {
			s[i] = s[k]
			i++
		}
	}
	_gonoteZeroTail(s, i, len(s))
	return s[:i]
}

func _gonoteConcat[E any](ss ...[]E) []E {
	size := 0
	for _, s := range ss {
		size += len(s)
		if size < 0 {
			panic("len out of range")
		}
	}
	var r []E
	if size > 0 {
		r = make([]E, 0, size)
	}
	for _, s := range ss {
		r = append(r, s...)
	}
	return r
}

func _gonoteRepeat[E any](s []E, count int) []E {
	if count < 0 {
		panic("cannot be negative")
	}
	if len(s) > 0 && count > int(^uint(0)>>1)/len(s) {
		panic("output length overflows int")
	}
	r := make([]E, 0, len(s)*count)
	for k := 0; k < count; k++ {
		r = append(r, s...)
	}
	return r
}

func _gonoteGrow[E any](s []E, n int) []E {
	if n < 0 {
		panic("cannot be negative")
	}
	if n -= cap(s) - len(s); n > 0 {
		s = append(s[:cap(s)], make([]E, n)...)[:len(s)]
	}
	return s
}

func _gonoteClip[E any](s []E) []E {
	return s[:len(s):len(s)]
}

func _gonoteCompare[T _gonoteOrdered](x, y T) int {
	xNaN, yNaN := x != x, y != y
	switch {
	case xNaN && yNaN:
		return 0
	case xNaN || x < y:
		return -1
	case yNaN || x > y:
		return +1
	}
	return 0
}

func _gonoteLess[T _gonoteOrdered](x, y T) bool {
	return (x != x && y == y) || x < y
}

func _gonoteOr[T comparable](vals ...T) T {
	var zero T
	for _, v := range vals {
		if v != zero {
			return v
		}
	}
	return zero
}

func _gonoteSliceCompare[E _gonoteOrdered](a, b []E) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if c := _gonoteCompare(a[i], b[i]); c != 0 {
			return c
		}
	}
	return _gonoteCompare(len(a), len(b))
}

func _gonoteIsSorted[E _gonoteOrdered](s []E) bool {
	for i := 1; i < len(s); i++ {
		if _gonoteLess(s[i], s[i-1]) {
			return false
		}
	}
	return true
}

func _gonoteIsSortedFunc[E any](s []E, cmp func(a, b E) int) bool {
	for i := 1; i < len(s); i++ {
		if cmp(s[i], s[i-1]) < 0 {
			return false
		}
	}
	return true
}

func _gonoteSortFunc[E any](s []E, cmp func(a, b E) int) {
	_gonotesort.Slice(s, func(i, j int) bool { return cmp(s[i], s[j]) < 0 })
}

func _gonoteSortStableFunc[E any](s []E, cmp func(a, b E) int) {
	_gonotesort.SliceStable(s, func(i, j int) bool { return cmp(s[i], s[j]) < 0 })
}

func _gonoteMaxFunc[E any](s []E, cmp func(a, b E) int) E {
	if len(s) == 0 {
		panic("slices.MaxFunc: empty list")
	}
	m := s[0]
	for _, v := range s[1:] {
		if cmp(v, m) > 0 {
			m = v
		}
	}
	return m
}

func _gonoteMinFunc[E any](s []E, cmp func(a, b E) int) E {
	if len(s) == 0 {
		panic("slices.MinFunc: empty list")
	}
	m := s[0]
	for _, v := range s[1:] {
		if cmp(v, m) < 0 {
			m = v
		}
	}
	return m
}

func _gonoteBinarySearch[E _gonoteOrdered](s []E, target E) (int, bool) {
	return _gonoteBinarySearchFunc[E, E](s, target, func(a, b E) int { return _gonoteCompare(a, b) })
}

func _gonoteBinarySearchFunc[E any, T any](s []E, target T, cmp func(E, T) int) (int, bool) {
	lo, hi := 0, len(s)
	for lo < hi {
		h := int(uint(lo+hi) >> 1)
		if cmp(s[h], target) < 0 {
			lo = h + 1
		} else {
			hi = h
		}
	}
	return lo, lo < len(s) && cmp(s[lo], target) == 0
}

func _gonoteMapCopy[K comparable, V any](dst, src map[K]V) {
	for k, v := range src {
		dst[k] = v
	}
}

func _gonoteMapEqual[K comparable, V comparable](a, b map[K]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k, va := range a {
		if vb, ok := b[k]; !ok || va != vb {
			return false
		}
	}
	return true
}

func _gonoteMapEqualFunc[K comparable, V1 any, V2 any](a map[K]V1, b map[K]V2, eq func(V1, V2) bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k, va := range a {
		if vb, ok := b[k]; !ok || !eq(va, vb) {
			return false
		}
	}
	return true
}
`
