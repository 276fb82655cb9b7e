package dtlearn

import (
	"fmt"
	"math"
	"math/bits"
)

// Restriction is a node of a decision tree over {±1}^n: the coordinates in
// Mask are fixed, coordinate i to +1 iff bit i of Val is set. Val has no bits
// outside Mask. The zero Restriction is the root.
type Restriction struct{ Mask, Val uint64 }

// Depth is the number of fixed coordinates.
func (r Restriction) Depth() int { return bits.OnesCount64(r.Mask) }

// Contains reports whether the point x is consistent with r.
func (r Restriction) Contains(x uint64) bool { return x&r.Mask == r.Val }

// Child is r with coordinate i also fixed, to +1 if plus.
func (r Restriction) Child(i int, plus bool) Restriction {
	b := uint64(1) << uint(i)
	c := Restriction{Mask: r.Mask | b, Val: r.Val &^ b}
	if plus {
		c.Val |= b
	}
	return c
}

// ID is the node's tie-breaking hash SplitMix64(Mask·φ ⊕ (Val + c)) with
// φ = 0x9E3779B97F4A7C15 and c = 0x632BE59BD9B4E019.
func (r Restriction) ID() uint64 {
	return splitMix64(r.Mask*0x9E3779B97F4A7C15 ^ (r.Val + 0x632BE59BD9B4E019))
}

func splitMix64(z uint64) uint64 {
	z += 0x9E3779B97F4A7C15
	z = (z ^ z>>30) * 0xBF58476D1CE4E5B9
	z = (z ^ z>>27) * 0x94D049BB133111EB
	return z ^ z>>31
}

// Key orders nodes for splitting: by Score, then by ID (lexicographic).
type Key struct {
	Score float64
	ID    uint64
}

// Less reports whether a comes before b in the lexicographic order
// (Score, ID).
func (a Key) Less(b Key) bool {
	return a.Score < b.Score || (a.Score == b.Score && a.ID < b.ID)
}

// TopKey is larger than every node key: BestFirst returns it as τ when it
// splits nothing, and Threshold(TopKey()) is the single leaf.
func TopKey() Key { return Key{Score: math.Inf(1), ID: math.MaxUint64} }

// Config chooses the heuristic: the impurity G and the canonical minibatch
// size Batch (0 means full batch: B_v = S_v).
type Config struct {
	G     Impurity
	Batch int
}

// NodeStats are the statistics of one node v, computed from the labels of its
// canonical minibatch B_v (the first Batch points of S_v in S-order).
type NodeStats struct {
	Restriction Restriction
	Count       int       // |S_v|
	Weight      float64   // ŵ_v = |S_v|/|S| (no labels needed)
	P           float64   // p̂_v, the fraction of +1 labels in B_v
	Gain        float64   // PĜ(v, SplitVar), the largest estimated purity gain (0 without a valid split)
	Score       float64   // Weight·Gain
	SplitVar    int       // i*(v), the argmax of the gain (ties to the smallest i); −1 if no gain > 1e-12
	Label       bool      // maj(B_v), ties to +1
	Gains       []float64 // PĜ(v, i) for every variable i (0 for fixed ones); filled by Learner.Node only
	Minibatch   []int     // B_v, indices into S
	Key         Key       // (Score, Restriction.ID())
}

// gainEps is the gain at or below which a node has no valid split.
const gainEps = 1e-12

type node struct {
	stats NodeStats
	mb    []int32  // B_v
	idx   []int32  // S_v; released once both children exist
	kids  [2]*node // children on SplitVar (−1 side, +1 side), once built
}

// Learner computes node statistics for one oracle and configuration and
// caches them by Restriction. BestFirst, Threshold and Local all read nodes
// through the same computation (Learner.Node), so a separate Learner on the
// same sample and target reproduces exactly the same tree.
type Learner struct {
	o     *Oracle
	cfg   Config
	nodes map[Restriction]*node
	// per-node scratch counters
	ones, pos [MaxN]int
	gainBuf   [MaxN]float64
}

// NewLearner returns a learner that labels through o. It needs a non-nil o,
// a non-nil cfg.G and cfg.Batch ≥ 0 (0 = full batch).
func NewLearner(o *Oracle, cfg Config) (*Learner, error) {
	if o == nil {
		return nil, fmt.Errorf("dtlearn: NewLearner: oracle is nil")
	}
	if err := checkConfig(cfg); err != nil {
		return nil, fmt.Errorf("dtlearn: NewLearner: %w", err)
	}
	return &Learner{o: o, cfg: cfg, nodes: make(map[Restriction]*node)}, nil
}

func checkConfig(cfg Config) error {
	if cfg.G == nil {
		return fmt.Errorf("Config.G is nil, want an impurity such as Gini")
	}
	if cfg.Batch < 0 {
		return fmt.Errorf("Config.Batch = %d, want ≥ 0 (0 = full batch)", cfg.Batch)
	}
	return nil
}

// Oracle returns the learner's oracle.
func (l *Learner) Oracle() *Oracle { return l.o }

// Config returns the learner's configuration.
func (l *Learner) Config() Config { return l.cfg }

// Node returns the statistics of the node r (computed on first use, then
// cached; the Minibatch slice is a copy). It needs r.Val ⊆ r.Mask and no
// fixed coordinate ≥ n.
func (l *Learner) Node(r Restriction) (NodeStats, error) {
	if r.Val&^r.Mask != 0 {
		return NodeStats{}, fmt.Errorf("dtlearn: Learner.Node: Val = %#x has bits outside Mask = %#x", r.Val, r.Mask)
	}
	if r.Mask&^lowMask(l.o.s.N) != 0 {
		return NodeStats{}, fmt.Errorf("dtlearn: Learner.Node: Mask = %#x fixes a coordinate ≥ n = %d", r.Mask, l.o.s.N)
	}
	v := l.node(r)
	st := v.stats
	st.Minibatch = make([]int, len(v.mb))
	for k, j := range v.mb {
		st.Minibatch[k] = int(j)
	}
	_, st.Gains = l.gains(r, v.mb, nil)
	return st, nil
}

// node returns the cached node r, computing it from a full scan of S if
// needed.
func (l *Learner) node(r Restriction) *node {
	if v, ok := l.nodes[r]; ok {
		return v
	}
	var idx []int32
	for j, x := range l.o.s.X {
		if x&r.Mask == r.Val {
			idx = append(idx, int32(j))
		}
	}
	return l.compute(r, idx)
}

// child returns the child of v on its split variable (plus: the +1 side),
// filtering v's list of points.
func (l *Learner) child(v *node, plus bool) *node {
	side := 0
	if plus {
		side = 1
	}
	if c := v.kids[side]; c != nil {
		return c
	}
	i := v.stats.SplitVar
	r := v.stats.Restriction.Child(i, plus)
	c, ok := l.nodes[r]
	if !ok {
		want := uint64(side) << uint(i)
		b := uint64(1) << uint(i)
		xs := l.o.s.X
		n := 0
		for _, j := range v.idx {
			if xs[j]&b == want {
				n++
			}
		}
		idx := make([]int32, 0, n)
		for _, j := range v.idx {
			if xs[j]&b == want {
				idx = append(idx, j)
			}
		}
		c = l.compute(r, idx)
	}
	v.kids[side] = c
	if v.kids[0] != nil && v.kids[1] != nil && l.cfg.Batch > 0 {
		v.idx = nil // B_v is a separate copy; S_v is no longer needed
	}
	return c
}

// compute labels B_v and fills the statistics of node r whose point list is
// idx (S-order).
func (l *Learner) compute(r Restriction, idx []int32) *node {
	v := &node{idx: idx}
	mb := idx
	if b := l.cfg.Batch; b > 0 {
		if len(mb) > b {
			mb = mb[:b]
		}
		mb = append([]int32(nil), mb...)
	}
	v.mb = mb
	npos, gains := l.gains(r, mb, l.gainBuf[:])
	st := NodeStats{
		Restriction: r,
		Count:       len(idx),
		Weight:      float64(len(idx)) / float64(len(l.o.s.X)),
		SplitVar:    -1,
		Label:       2*npos >= len(mb),
	}
	if len(mb) > 0 {
		st.P = float64(npos) / float64(len(mb))
	}
	best := gainEps
	for i, g := range gains {
		if g > best {
			best, st.SplitVar = g, i
		}
	}
	if st.SplitVar >= 0 {
		st.Gain = best
		st.Score = st.Weight * best
	}
	st.Key = Key{Score: st.Score, ID: r.ID()}
	v.stats = st
	l.nodes[r] = v
	return v
}

// gains labels the minibatch mb of node r and returns its number of +1
// labels and the estimated purity gain PĜ(v, i) of every variable i (0 for
// the fixed ones), written into dst when it has room.
func (l *Learner) gains(r Restriction, mb []int32, dst []float64) (npos int, gains []float64) {
	n := l.o.s.N
	ones, pos := l.ones[:n], l.pos[:n]
	clear(ones)
	clear(pos)
	xs := l.o.s.X
	for _, j := range mb {
		x := xs[j]
		if l.o.label(j) {
			npos++
			for i := range pos {
				pos[i] += int(x >> uint(i) & 1)
			}
		}
		for i := range ones {
			ones[i] += int(x >> uint(i) & 1)
		}
	}
	if cap(dst) >= n {
		gains = dst[:n]
	} else {
		gains = make([]float64, n)
	}
	clear(gains)
	m := len(mb)
	if m == 0 {
		return 0, gains
	}
	fm := float64(m)
	g := l.cfg.G
	gp := g(float64(npos) / fm)
	for i := range n {
		if r.Mask>>uint(i)&1 == 1 {
			continue
		}
		n1, p1 := ones[i], pos[i]
		n0, p0 := m-n1, npos-p1
		gain := gp
		if n1 > 0 {
			gain -= float64(n1) / fm * g(float64(p1)/float64(n1))
		}
		if n0 > 0 {
			gain -= float64(n0) / fm * g(float64(p0)/float64(n0))
		}
		gains[i] = gain
	}
	return npos, gains
}

// splittable reports whether v is split in T_τ: it has a valid split and
// key(v) ≥ τ.
func splittable(v *node, tau Key) bool {
	return v.stats.SplitVar >= 0 && !v.stats.Key.Less(tau)
}
