package mosaickd

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// RNG streams: every randomised function builds rand.New(rand.NewPCG(seed,
// stream)) with one of these fixed streams, so each purpose has its own
// reproducible sequence.
const (
	StreamWorld        = 1  // motifs and vocabularies (NewWorld)
	StreamSampleID     = 2  // in-domain samples (World.SampleID)
	StreamSampleOOD    = 3  // OOD samples (World.SampleOOD)
	StreamSampleNoise  = 4  // Gaussian noise inputs (World.SampleNoise)
	StreamTeacherInit  = 10 // teacher weights
	StreamTeacherBatch = 11 // teacher minibatches and junk inputs
	StreamFoolSet      = 12 // teacher fooling set
	StreamTeacherEval  = 13 // fresh samples for the TeacherReport
	StreamStudentInit  = 20 // student weights (same for every condition)
	StreamStudentBatch = 21 // fixed-data distillation minibatches
	StreamGenInit      = 30 // generator weights
	StreamDiscInit     = 31 // discriminator weights
	StreamMosaicSample = 32 // latent codes and OOD minibatches of RunMosaic
	StreamGenSample    = 40 // Generator.Sample and GeneratorStats
)

// WorldConfig describes the MosaicToy world: Motifs unit-norm motifs in
// R^PatchDim (pairwise distance > MinMotifDist), Positions patches per
// sample, Sigma the in-span noise, Iso the isotropic noise, and the labelling
// Rule: "simple" (y = 2·s0 + s1) or "xor" (y = 2·(s0⊕s1) + (s2⊕s3)). Both
// rules give 4 classes.
type WorldConfig struct {
	Motifs, Positions, PatchDim int
	Sigma, Iso, MinMotifDist    float64
	Rule                        string
}

// DefaultWorld is the calibrated MosaicToy world: 8 motifs, 4 positions,
// patch dimension 12, Sigma 0.3, Iso 0.02, MinMotifDist 0.8, rule "simple".
func DefaultWorld() WorldConfig {
	return WorldConfig{Motifs: 8, Positions: 4, PatchDim: 12, Sigma: 0.3, Iso: 0.02, MinMotifDist: 0.8, Rule: "simple"}
}

// Validate reports the first invalid field.
func (c WorldConfig) Validate() error {
	switch {
	case c.Motifs < 3:
		return fmt.Errorf("mosaickd: WorldConfig.Motifs = %d, need ≥ 3 (2 in-domain + ≥ 1 OOD motif per position)", c.Motifs)
	case c.PatchDim < 1:
		return fmt.Errorf("mosaickd: WorldConfig.PatchDim = %d, must be positive", c.PatchDim)
	case !(c.Sigma >= 0) || math.IsInf(c.Sigma, 0):
		return fmt.Errorf("mosaickd: WorldConfig.Sigma = %v, must be finite and ≥ 0", c.Sigma)
	case !(c.Iso >= 0) || math.IsInf(c.Iso, 0):
		return fmt.Errorf("mosaickd: WorldConfig.Iso = %v, must be finite and ≥ 0", c.Iso)
	case !(c.MinMotifDist >= 0) || c.MinMotifDist >= 2:
		return fmt.Errorf("mosaickd: WorldConfig.MinMotifDist = %v, valid range [0, 2) (motifs have unit norm)", c.MinMotifDist)
	}
	switch c.Rule {
	case "simple":
		if c.Positions < 2 {
			return fmt.Errorf("mosaickd: WorldConfig.Positions = %d, rule \"simple\" needs ≥ 2", c.Positions)
		}
	case "xor":
		if c.Positions < 4 {
			return fmt.Errorf("mosaickd: WorldConfig.Positions = %d, rule \"xor\" needs ≥ 4", c.Positions)
		}
	default:
		return fmt.Errorf("mosaickd: WorldConfig.Rule = %q, valid: \"simple\", \"xor\"", c.Rule)
	}
	return nil
}

// Classes is the number of classes of the MosaicToy rules (4).
const Classes = 4

// World is one drawn MosaicToy world: the motif bank (Motifs×PatchDim, one
// motif per row) and, per position, the 2 in-domain motif indices (InVocab)
// and the other Motifs−2 (OutVocab, the OOD vocabulary).
type World struct {
	Cfg               WorldConfig
	Motif             *mat.Dense
	InVocab, OutVocab [][]int
}

// NewWorld draws a world from cfg with stream StreamWorld. Each motif is a
// normalised Gaussian vector, redrawn until it is farther than
// MinMotifDist from all earlier motifs.
func NewWorld(cfg WorldConfig, seed uint64) (*World, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, StreamWorld))
	K, D := cfg.Motifs, cfg.PatchDim
	motif := mat.NewDense(K, D, nil)
	const maxTries = 100000
	for k := 0; k < K; k++ {
		row := motif.RawRowView(k)
		ok := false
		for try := 0; try < maxTries && !ok; try++ {
			nrm := 0.0
			for j := range row {
				row[j] = rng.NormFloat64()
				nrm += row[j] * row[j]
			}
			nrm = math.Sqrt(nrm)
			for j := range row {
				row[j] /= nrm
			}
			ok = true
			for q := 0; q < k && ok; q++ {
				if dist(row, motif.RawRowView(q)) <= cfg.MinMotifDist {
					ok = false
				}
			}
		}
		if !ok {
			return nil, fmt.Errorf("mosaickd: NewWorld: could not place motif %d at distance > %v from the others in %d tries; lower MinMotifDist or Motifs", k, cfg.MinMotifDist, maxTries)
		}
	}
	w := &World{Cfg: cfg, Motif: motif}
	for p := 0; p < cfg.Positions; p++ {
		perm := rng.Perm(K)
		w.InVocab = append(w.InVocab, perm[:2])
		w.OutVocab = append(w.OutVocab, perm[2:])
	}
	return w, nil
}

func dist(a, b []float64) float64 {
	s := 0.0
	for i, v := range a {
		d := v - b[i]
		s += d * d
	}
	return math.Sqrt(s)
}

// Dim is the input dimension Positions·PatchDim.
func (w *World) Dim() int { return w.Cfg.Positions * w.Cfg.PatchDim }

// label applies the world's rule to the in-domain choice bits s (one per
// position).
func (w *World) label(s []int) int {
	if w.Cfg.Rule == "xor" {
		return 2*(s[0]^s[1]) + (s[2] ^ s[3])
	}
	return 2*s[0] + s[1]
}

// addPatch writes motif k plus the in-span and isotropic noise into dst.
func (w *World) addPatch(dst []float64, k int, rng *rand.Rand) {
	K := w.Cfg.Motifs
	copy(dst, w.Motif.RawRowView(k))
	sc := w.Cfg.Sigma / math.Sqrt(float64(K))
	for q := 0; q < K; q++ {
		g := sc * rng.NormFloat64()
		for j, m := range w.Motif.RawRowView(q) {
			dst[j] += g * m
		}
	}
	for j := range dst {
		dst[j] += w.Cfg.Iso * rng.NormFloat64()
	}
}

func checkN(what string, n int) error {
	if n <= 0 {
		return fmt.Errorf("mosaickd: %s: n = %d, must be positive", what, n)
	}
	return nil
}

// SampleID draws n in-domain samples and their labels (stream
// StreamSampleID): at position p the motif InVocab[p][s_p] with s uniform in
// {0,1}^Positions, plus noise; the label is the rule applied to s.
func (w *World) SampleID(n int, seed uint64) (*mat.Dense, []int, error) {
	if err := checkN("SampleID", n); err != nil {
		return nil, nil, err
	}
	rng := rand.New(rand.NewPCG(seed, StreamSampleID))
	P, D := w.Cfg.Positions, w.Cfg.PatchDim
	x := mat.NewDense(n, P*D, nil)
	y := make([]int, n)
	s := make([]int, P)
	for i := 0; i < n; i++ {
		row := x.RawRowView(i)
		for p := 0; p < P; p++ {
			s[p] = rng.IntN(2)
			w.addPatch(row[p*D:(p+1)*D], w.InVocab[p][s[p]], rng)
		}
		y[i] = w.label(s)
	}
	return x, y, nil
}

// SampleOOD draws n out-of-domain samples (stream StreamSampleOOD): at each
// position a uniform motif of OutVocab[p], plus the same noise. The tiles
// are the world's motifs, the arrangement never in-domain.
func (w *World) SampleOOD(n int, seed uint64) (*mat.Dense, error) {
	if err := checkN("SampleOOD", n); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, StreamSampleOOD))
	P, D := w.Cfg.Positions, w.Cfg.PatchDim
	x := mat.NewDense(n, P*D, nil)
	for i := 0; i < n; i++ {
		row := x.RawRowView(i)
		for p := 0; p < P; p++ {
			out := w.OutVocab[p]
			w.addPatch(row[p*D:(p+1)*D], out[rng.IntN(len(out))], rng)
		}
	}
	return x, nil
}

// SampleNoise draws n inputs N(0, std²·I) (stream StreamSampleNoise);
// std ≥ 0.
func (w *World) SampleNoise(n int, std float64, seed uint64) (*mat.Dense, error) {
	if err := checkN("SampleNoise", n); err != nil {
		return nil, err
	}
	if !(std >= 0) || math.IsInf(std, 0) {
		return nil, fmt.Errorf("mosaickd: SampleNoise: std = %v, must be finite and ≥ 0", std)
	}
	rng := rand.New(rand.NewPCG(seed, StreamSampleNoise))
	x := mat.NewDense(n, w.Dim(), nil)
	for i, d := 0, x.RawMatrix().Data; i < len(d); i++ {
		d[i] = std * rng.NormFloat64()
	}
	return x, nil
}

// NearestMotifs returns, for every row of x and every position, the index
// of the nearest motif (arr) and its Euclidean distance (dist).
func (w *World) NearestMotifs(x *mat.Dense) (arr [][]int, dists [][]float64, err error) {
	if x == nil {
		return nil, nil, fmt.Errorf("mosaickd: NearestMotifs: x is nil")
	}
	n, c := x.Dims()
	if c != w.Dim() {
		return nil, nil, fmt.Errorf("mosaickd: NearestMotifs: x has %d columns, the world has dimension %d", c, w.Dim())
	}
	P, D := w.Cfg.Positions, w.Cfg.PatchDim
	arr = make([][]int, n)
	dists = make([][]float64, n)
	for i := 0; i < n; i++ {
		row := x.RawRowView(i)
		arr[i] = make([]int, P)
		dists[i] = make([]float64, P)
		for p := 0; p < P; p++ {
			best, bk := math.Inf(1), 0
			for k := 0; k < w.Cfg.Motifs; k++ {
				if d := dist(row[p*D:(p+1)*D], w.Motif.RawRowView(k)); d < best {
					best, bk = d, k
				}
			}
			arr[i][p], dists[i][p] = bk, best
		}
	}
	return arr, dists, nil
}

// InVocabulary reports whether the motif arrangement arr (one motif index
// per position) is an in-domain arrangement: every position holds one of
// its 2 in-domain motifs.
func (w *World) InVocabulary(arr []int) bool {
	if len(arr) != w.Cfg.Positions {
		return false
	}
	for p, k := range arr {
		if k != w.InVocab[p][0] && k != w.InVocab[p][1] {
			return false
		}
	}
	return true
}

// MeanSqNorm is the mean squared row norm of x.
func MeanSqNorm(x *mat.Dense) (float64, error) {
	if x == nil || x.IsEmpty() {
		return 0, fmt.Errorf("mosaickd: MeanSqNorm: x is nil or empty")
	}
	return meanSqNorm(x), nil
}

func meanSqNorm(x *mat.Dense) float64 {
	n, c := x.Dims()
	s := 0.0
	for i := 0; i < n; i++ {
		for _, v := range x.RawRowView(i)[:c] {
			s += v * v
		}
	}
	return s / float64(n)
}
