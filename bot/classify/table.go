package classify

import "math/bits"

// table maps features to their rows of weights: an open-addressing hash table, about
// twice as fast to read as a Go map for the tens of thousands of features a model has.
type table struct {
	keys  []uint32
	rows  []int32 // each slot's row + 1; 0: an empty slot (so a new table needs no filling)
	shift uint
	n     int
}

// newTable returns a table for the features, each at the row of its index.
func newTable(features []uint32) *table {
	size := 1 << bits.Len(uint(2*len(features)))
	t := &table{keys: make([]uint32, size), rows: make([]int32, size), shift: uint(32 - bits.Len(uint(size-1))), n: len(features)}
	for row, f := range features {
		i := t.slot(f)
		for t.rows[i] > 0 && t.keys[i] != f {
			i = (i + 1) & (len(t.keys) - 1)
		}
		t.keys[i], t.rows[i] = f, int32(row)+1
	}
	return t
}

// slot is where the search for f starts (Fibonacci hashing: features are hashes already,
// but their low bits need not be spread).
func (t *table) slot(f uint32) int { return int((f * 0x9E3779B1) >> t.shift) }

// row returns the row of feature f, or -1.
func (t *table) row(f uint32) int32 {
	mask := len(t.keys) - 1
	for i := t.slot(f); ; i = (i + 1) & mask {
		r := t.rows[i]
		if r == 0 || t.keys[i] == f {
			return r - 1
		}
	}
}

// features returns the features in the order of their rows.
func (t *table) features() []uint32 {
	out := make([]uint32, t.n)
	for i, r := range t.rows {
		if r > 0 {
			out[r-1] = t.keys[i]
		}
	}
	return out
}
