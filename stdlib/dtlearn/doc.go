// Package dtlearn holds the estimators of Blanc, Gupta, Lange and Tan,
// "Estimating decision tree learnability with polylogarithmic sample
// complexity" (NeurIPS 2020), as built in the project's spec
// (papers/mosaickd-dtree.md, §2): top-down impurity-based decision-tree
// heuristics on the uniform distribution over {±1}^n, their canonical
// minibatch version, the threshold tree T_τ, the active local learner that
// evaluates T_τ(x) while labeling only the points it needs, and the
// learnability estimator built on it.
//
// Points: n ≤ 64 variables packed in a uint64, bit i set ⇔ x_i = +1. A label
// or a function value true means +1.
//
// The algorithm (spec §2.3): a node is a Restriction (fixed coordinates).
// S_v is the list of the points of the sample S consistent with v, in
// S-order, and the canonical minibatch B_v its first Batch points (all of
// S_v when Batch is 0). From the labels of B_v alone the node gets its
// estimated purity gain per variable, its split variable i*(v) (the argmax,
// ties to the smallest index), its leaf label maj(B_v) (ties to +1), and
// from |S_v| alone its weight ŵ_v = |S_v|/|S|. Its Key is
// (score = ŵ_v·gain, id) compared lexicographically, where id is a
// SplitMix64 hash of the restriction, so keys never tie. BestFirst splits the
// leaf with the largest key until the tree has t leaves; τ_t is the smallest
// key it split. Threshold(τ) splits every node whose key is ≥ τ (and whose
// gain is positive), and Local(x, τ) walks the path of x through the same
// nodes, so Local(x, τ) = Threshold(τ).Eval(x) exactly. Learner.Node is the one
// code path that computes node statistics; the node cache is keyed by
// Restriction, and a child's S_v is filtered from its cached parent's list.
// A gain ≤ 1e-12 counts as zero (no valid split), so that rounding never
// makes a pure node splittable.
//
// Adaptations of the spec's proposed API (§2.6), all so that bad parameters
// return errors naming the parameter and its valid range instead of
// panicking: the constructors UniformCube, Majority, Tribes,
// RandomMonotoneDNF, PositiveLTF, RandomMonotoneLTF, NewOracle and NewLearner,
// and CheckMonotone, Influences, Oracle.Label, Learner.Node,
// Learner.BestFirst, TrueError, Agreement, EstimateError, TauForSize and
// LabelBound also return an error; BestFirst returns (tree, τ, error).
// Gini, Entropy and KearnsMansour are functions, not package variables, and
// TopKey() (the τ above every key) is a function too. NodeStats also carries
// the Restriction, |S_v|, p̂_v and, from Learner.Node, the gain of every
// variable. Added: Parity and NewFunc (non-monotone and user-defined
// targets), Families (the four families of spec §2.5), Cube.Head, the
// Restriction helpers, Tree.Nodes, Learner.LocalFunc (Local as a compiled
// classifier for Agreement), Learner.MinibatchLabels (|∪_v B_v| of a tree),
// Estimate.MaxQueryLabels, MeanQueryLabels and MeanDepth (label counts and
// path lengths of single queries), DepthBound
// (⌊log₂(1/τ)⌋ + 1), and two drivers for notebooks, ErrorCurves and Study,
// that run one condition per family on at most two goroutines.
//
// Determinism: every random draw comes from rand.New(rand.NewPCG(seed,
// stream)) with an explicit seed. UniformCube takes its stream from the
// caller; the other streams are fixed constants: RandomMonotoneDNF uses
// stream 0xD1F, RandomMonotoneLTF 0x17F, CheckMonotone 0x30A0, EstimateError
// 0xE57 and TauForSize 0x512E. Results never depend on GOMAXPROCS: parallel
// work is split by condition or by index range and reduced in index order.
//
// A Learner and its Oracle are not safe for concurrent use.
package dtlearn
