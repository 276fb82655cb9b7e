package dtlearn

import (
	"container/heap"
	"fmt"
)

// Tree is a decision tree over {±1}^n with ±1 leaf labels.
type Tree struct {
	nodes  []treeNode // nodes[0] is the root
	leaves int
	depth  int
}

type treeNode struct {
	r      Restriction
	split  int // variable, −1 for a leaf
	label  bool
	minus  int32 // child index for x_split = −1
	plus   int32 // child index for x_split = +1
	weight float64
}

// Eval returns the tree's label of x (true = +1).
func (t *Tree) Eval(x uint64) bool {
	k := 0
	for {
		nd := &t.nodes[k]
		if nd.split < 0 {
			return nd.label
		}
		if x>>uint(nd.split)&1 == 1 {
			k = int(nd.plus)
		} else {
			k = int(nd.minus)
		}
	}
}

// Leaves is the number of leaves.
func (t *Tree) Leaves() int { return t.leaves }

// Depth is the length of the longest root-to-leaf path (0 for a single
// leaf).
func (t *Tree) Depth() int { return t.depth }

// Nodes lists the tree's nodes in depth-first order (root first, −1 side
// before +1 side).
func (t *Tree) Nodes() []Restriction {
	out := make([]Restriction, len(t.nodes))
	for k, nd := range t.nodes {
		out[k] = nd.r
	}
	return out
}

// build grows a tree from the root, splitting a node when split says so.
func (l *Learner) build(split func(v *node) bool) *Tree {
	t := &Tree{}
	var grow func(v *node) int32
	grow = func(v *node) int32 {
		k := int32(len(t.nodes))
		d := v.stats.Restriction.Depth()
		t.nodes = append(t.nodes, treeNode{r: v.stats.Restriction, split: -1, label: v.stats.Label, weight: v.stats.Weight})
		if !split(v) {
			t.leaves++
			t.depth = max(t.depth, d)
			return k
		}
		minus := grow(l.child(v, false))
		plus := grow(l.child(v, true))
		t.nodes[k].split = v.stats.SplitVar
		t.nodes[k].minus, t.nodes[k].plus = minus, plus
		return k
	}
	grow(l.node(Restriction{}))
	return t
}

// frontier is a max-heap of leaves by Key.
type frontier []*node

func (h frontier) Len() int           { return len(h) }
func (h frontier) Less(a, b int) bool { return h[b].stats.Key.Less(h[a].stats.Key) }
func (h frontier) Swap(a, b int)      { h[a], h[b] = h[b], h[a] }
func (h *frontier) Push(x any)        { *h = append(*h, x.(*node)) }
func (h *frontier) Pop() any {
	old := *h
	v := old[len(old)-1]
	*h = old[:len(old)-1]
	return v
}

// BestFirst runs the best-first heuristic to size t: starting from the root,
// while the tree has fewer than t leaves it splits the leaf with the largest
// key among those with a valid split (positive score); leaves are labelled
// maj(B_ℓ). It returns the tree and τ_t, the smallest key it split (TopKey()
// when it split nothing). The tree has fewer than t leaves only when no leaf
// can be split. It needs t ≥ 1.
func (l *Learner) BestFirst(t int) (*Tree, Key, error) {
	if t < 1 {
		return nil, Key{}, fmt.Errorf("dtlearn: Learner.BestFirst: t = %d, want ≥ 1", t)
	}
	split := make(map[*node]bool)
	tau := TopKey()
	h := frontier{l.node(Restriction{})}
	for leaves := 1; leaves < t && len(h) > 0; leaves++ {
		v := heap.Pop(&h).(*node)
		if v.stats.SplitVar < 0 {
			break // the largest key has no valid split, and neither has any other leaf
		}
		split[v] = true
		if v.stats.Key.Less(tau) {
			tau = v.stats.Key
		}
		heap.Push(&h, l.child(v, false))
		heap.Push(&h, l.child(v, true))
	}
	return l.build(func(v *node) bool { return split[v] }), tau, nil
}

// Threshold returns T_τ: the tree that splits node v iff v has a valid split
// and key(v) ≥ τ along the whole path (bottleneck lemma: T_{τ_t} contains
// BestFirst(t) and differs from it only below the node whose key is τ_t).
// A small τ can give a large tree (at most one leaf per point of S).
func (l *Learner) Threshold(tau Key) *Tree {
	return l.build(func(v *node) bool { return splittable(v, tau) })
}

// Local is the active local learner: it walks from the root along the path
// of x, labeling only the canonical minibatches of the nodes it visits, and
// stops at the first node that is not split in T_τ. It returns that node's
// label, which equals Threshold(tau).Eval(x) exactly, and its depth. Bits of
// x at or above n are ignored.
func (l *Learner) Local(x uint64, tau Key) (label bool, depth int) {
	v := l.node(Restriction{})
	for splittable(v, tau) {
		v = l.child(v, x>>uint(v.stats.SplitVar)&1 == 1)
		depth++
	}
	return v.stats.Label, depth
}

// localPath is Local that also reports the number of labels of the visited
// minibatches (Σ|B_v|) and calls visit on each visited node.
func (l *Learner) localPath(x uint64, tau Key, visit func(v *node)) (label bool, depth, labels int) {
	v := l.node(Restriction{})
	for {
		visit(v)
		labels += len(v.mb)
		if !splittable(v, tau) {
			return v.stats.Label, depth, labels
		}
		v = l.child(v, x>>uint(v.stats.SplitVar)&1 == 1)
		depth++
	}
}

// LocalFunc returns x ↦ Local(x, tau) label, as a classifier for TrueError
// and Agreement. The function uses l, so it is not safe for concurrent use.
func (l *Learner) LocalFunc(tau Key) func(x uint64) bool {
	return func(x uint64) bool {
		label, _ := l.Local(x, tau)
		return label
	}
}

// MinibatchLabels is |∪_v B_v| over the nodes v of tree t as computed by l:
// the number of distinct labels the minibatch heuristic needs to build t. It
// needs a tree built by a learner on the same sample.
func (l *Learner) MinibatchLabels(t *Tree) (int, error) {
	if t == nil || len(t.nodes) == 0 {
		return 0, fmt.Errorf("dtlearn: Learner.MinibatchLabels: tree is nil or empty")
	}
	seen := make([]uint64, (len(l.o.s.X)+63)/64)
	count := 0
	for _, nd := range t.nodes {
		if nd.r.Mask&^lowMask(l.o.s.N) != 0 {
			return 0, fmt.Errorf("dtlearn: Learner.MinibatchLabels: tree node fixes a coordinate ≥ n = %d", l.o.s.N)
		}
		for _, j := range l.node(nd.r).mb {
			w, b := j>>6, uint64(1)<<uint(j&63)
			if seen[w]&b == 0 {
				seen[w] |= b
				count++
			}
		}
	}
	return count, nil
}
