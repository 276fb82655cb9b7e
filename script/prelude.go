package script

// preludeImports are imported under private names in every interpreter.
const preludeImports = `import (
	_gonote "` + cellrtPath + `"
	_gonotefmt "fmt"
	_gonotecontext "context"
	_gonoteos "os"
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

`
