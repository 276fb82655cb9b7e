// Package dsgd simulates communication-efficient distributed SGD with a parameter server and
// W workers (goroutines): vanilla momentum SGD, true top-k, local top-k, random-k, Sketched-SGD
// with the exact second round (Ivkin et al., NeurIPS 2019, Algorithm 3), its variant without
// the second round, and the theory version HEAVYMIX with error feedback (Algorithm 2). It
// counts every float each worker uploads and downloads, and its results are bit-identical
// for any GOMAXPROCS and for serial or parallel workers: each worker owns its buffers and
// random stream, and the server reduces in worker order.
package dsgd

import (
	"context"
	"errors"
	"fmt"
	"html"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gonote/gonote/stdlib/sketch"
)

// ErrInvalid is wrapped by every error about a bad parameter; the message names the
// parameter and its valid range.
var ErrInvalid = errors.New("dsgd: invalid parameter")

// Method selects the training algorithm.
type Method int

const (
	// Vanilla is momentum SGD on the exact sum of the worker gradients (d up, d down).
	Vanilla Method = iota
	// TrueTopK applies the top-k of the exact sum of the error accumulators (an oracle: it
	// needs the dense sum, d up, k down).
	TrueTopK
	// LocalTopK: each worker sends the top-k of its own accumulator; the update is their sum,
	// and each worker resets only what it sent (k up, |union| down).
	LocalTopK
	// RandomK applies k coordinates drawn by the server's seeded stream (k up, k down).
	RandomK
	// Sketched is Algorithm 3: the server sums the workers' Count Sketches, takes the top P·k
	// estimates as candidates, fetches their exact values in a second round and applies the
	// top-k of those (r·c + P·k up, k down).
	Sketched
	// SketchedNoSecondRound applies the sketch estimates of the top-k directly (r·c up, k down).
	SketchedNoSecondRound
	// HeavyMixEF is Algorithm 2: HEAVYMIX selects heavy coordinates plus a random fill of k
	// in total; exact values come from a second round (r·c + k up, k down).
	HeavyMixEF
)

var methodNames = [...]string{"vanilla", "true top-k", "local top-k", "random-k", "sketched", "sketched (no 2nd round)", "HeavyMix EF"}

func (m Method) String() string {
	if m >= 0 && int(m) < len(methodNames) {
		return methodNames[m]
	}
	return fmt.Sprintf("Method(%d)", int(m))
}

func (m Method) usesSketch() bool {
	return m == Sketched || m == SketchedNoSecondRound || m == HeavyMixEF
}

// Config is one training run. Zero values take the defaults noted; every other field is
// validated by Run.
type Config struct {
	Method          Method
	Workers         int     // W, 1..4096
	Batch           int     // B, a multiple of Workers; each worker draws B/W examples per step
	Steps           int     // T ≥ 1
	LR              float64 // constant learning rate η > 0 (used when Xi = 0)
	Xi              float64 // if > 0: η_t = 1/(t + Xi) for every method (theory runs)
	WeightedAvg     bool    // evaluate ŵ_t = Σ q_s w_s / Σ q_s with q_s = (Xi + s)² (needs Xi > 0)
	Momentum        float64 // m in [0, 1)
	K               int     // coordinates per update, 1..d (compressed methods)
	P               int     // candidates P·k for Sketched; default 4
	Rows, Cols      int     // sketch shape; Rows default 5, Cols required for sketch methods
	SketchSeed      uint64  // hash seed shared by all workers
	Seed            uint64  // worker w samples from rand.NewPCG(Seed, 1000+w); the server from (Seed, 1)
	NoMasking       bool    // keep momentum at applied coordinates (default: zero u there, as in the paper)
	NoErrorFeedback bool    // discard the unsent residual every step
	ShortcutSum     bool    // sketch Σ_w v^w once instead of W sketches (identical by linearity)
	Parallel        bool    // run the workers' local work on goroutines (results are identical)
	EvalEvery       int     // evaluate every EvalEvery steps (0: only at the end)
	TrackOverlap    bool    // record |applied ∩ true top-k of Σv|/k per step
}

// Comm counts communication per worker, cumulative over the run. The paper's convention
// counts values only; indices are reported separately.
type Comm struct {
	UpFloats, DownFloats   int64
	UpIndices, DownIndices int64
}

// Result is the outcome of Run.
type Result struct {
	Label          string
	Config         Config
	EvalSteps      []int
	TrainLoss      []float64 // full training loss at EvalSteps
	TestLoss       []float64
	TestAcc        []float64
	BatchLoss      []float64 // mean minibatch loss at every step (before the update)
	FinalW         []float64 // last iterate
	AvgW           []float64 // weighted average ŵ_T (WeightedAvg only)
	Comm           Comm
	Compression    float64 // 2·d·T / (UpFloats + DownFloats)
	UpdatedPerStep []int   // coordinates changed by each update (union for LocalTopK)
	Overlap        []float64
	Elapsed        time.Duration
}

// FinalTestLoss returns the last evaluated test loss.
func (r *Result) FinalTestLoss() float64 { return r.TestLoss[len(r.TestLoss)-1] }

// FinalTrainLoss returns the last evaluated training loss.
func (r *Result) FinalTrainLoss() float64 { return r.TrainLoss[len(r.TrainLoss)-1] }

// MeanUpdated returns the mean of UpdatedPerStep.
func (r *Result) MeanUpdated() float64 {
	s := 0.0
	for _, u := range r.UpdatedPerStep {
		s += float64(u)
	}
	return s / float64(len(r.UpdatedPerStep))
}

// HTML renders a one-row summary.
func (r *Result) HTML() string { return Compare([]*Result{r}).HTML() }

// CompressionFormula returns the paper's Sketched-SGD compression 2d/(r·c + P·k + k).
func CompressionFormula(d, rows, cols, k, p int) float64 {
	return 2 * float64(d) / float64(rows*cols+p*k+k)
}

// Run trains with cfg on task; see RunCtx.
func Run(task Task, cfg Config) (*Result, error) { return RunCtx(context.Background(), task, cfg) }

func (cfg *Config) validate(d int) error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, a...)...)
	}
	if cfg.P == 0 {
		cfg.P = 4
	}
	if cfg.Rows == 0 {
		cfg.Rows = 5
	}
	switch {
	case cfg.Method < Vanilla || cfg.Method > HeavyMixEF:
		return bad("Config.Method = %d, want Vanilla..HeavyMixEF (0..%d)", int(cfg.Method), int(HeavyMixEF))
	case cfg.Workers < 1 || cfg.Workers > 4096:
		return bad("Config.Workers = %d, want 1..4096", cfg.Workers)
	case cfg.Batch < cfg.Workers || cfg.Batch%cfg.Workers != 0:
		return bad("Config.Batch = %d, want a positive multiple of Workers = %d", cfg.Batch, cfg.Workers)
	case cfg.Steps < 1:
		return bad("Config.Steps = %d, want ≥ 1", cfg.Steps)
	case !(cfg.Xi >= 0) || math.IsInf(cfg.Xi, 1):
		return bad("Config.Xi = %v, want a finite value ≥ 0 (0 = constant LR)", cfg.Xi)
	case cfg.Xi == 0 && (!(cfg.LR > 0) || math.IsInf(cfg.LR, 1)):
		return bad("Config.LR = %v, want a finite value > 0 (or set Xi > 0)", cfg.LR)
	case cfg.WeightedAvg && cfg.Xi == 0:
		return bad("Config.WeightedAvg needs Config.Xi > 0 (the weights are (Xi + t)²)")
	case !(cfg.Momentum >= 0 && cfg.Momentum < 1):
		return bad("Config.Momentum = %v, want 0 ≤ m < 1", cfg.Momentum)
	case cfg.EvalEvery < 0:
		return bad("Config.EvalEvery = %d, want ≥ 0", cfg.EvalEvery)
	}
	if cfg.Method == Vanilla {
		return nil
	}
	if cfg.K < 1 || cfg.K > d {
		return bad("Config.K = %d, want 1..%d (d)", cfg.K, d)
	}
	if cfg.Method == Sketched && (cfg.P < 1 || cfg.P*cfg.K > d) {
		return bad("Config.P = %d, want 1..%d (P·K ≤ d)", cfg.P, d/cfg.K)
	}
	if cfg.Method.usesSketch() {
		if cfg.Rows < 1 || cfg.Rows > sketch.MaxRows {
			return bad("Config.Rows = %d, want 1..%d", cfg.Rows, sketch.MaxRows)
		}
		if cfg.Cols < 1 || cfg.Cols > sketch.MaxCols {
			return bad("Config.Cols = %d, want 1..%d", cfg.Cols, sketch.MaxCols)
		}
	}
	return nil
}

type worker struct {
	rng     *rand.Rand
	idx     []int
	g, u, v []float64
	sk      *sketch.CountSketch
	sel     sketch.Selector
	sent    []int
	loss    float64
}

// Label returns a short description of the configuration.
func (cfg Config) Label() string {
	switch cfg.Method {
	case Vanilla:
		return "vanilla"
	case TrueTopK, LocalTopK, RandomK:
		return fmt.Sprintf("%v k=%d", cfg.Method, cfg.K)
	case Sketched:
		return fmt.Sprintf("sketched k=%d r=%d c=%d P=%d", cfg.K, cfg.Rows, cfg.Cols, cfg.P)
	default:
		return fmt.Sprintf("%v k=%d r=%d c=%d", cfg.Method, cfg.K, cfg.Rows, cfg.Cols)
	}
}

// RunCtx trains a zero-initialised model on task with cfg and returns the losses, the final
// weights and the communication counters. It checks ctx between steps. Per step:
//
//	worker w: g^w = (1/B)·Σ ∇ℓ over its B/W examples; u^w = m·u^w + g^w; v^w += η_t·u^w
//	server:   choose the coordinates K and the values Δ (method-specific, from Σ_w v^w)
//	all:      w −= Δ; u^w[K] = 0 (masking) and v^w[K] = 0 (error reset) for every worker
//
// Vanilla instead does u = m·u + Σ_w g^w, w −= η_t·u. The learning rate sits in the error
// accumulator, which with a constant rate equals Algorithm 3's w −= η·Δ and with a schedule is
// Algorithm 2's ḡ = η_t·g + a.
func RunCtx(ctx context.Context, task Task, cfg Config) (*Result, error) {
	if task == nil {
		return nil, fmt.Errorf("%w: task is nil", ErrInvalid)
	}
	d := task.Dim()
	if err := cfg.validate(d); err != nil {
		return nil, err
	}
	start := time.Now()
	W, T, k := cfg.Workers, cfg.Steps, cfg.K
	var hash *sketch.Hash
	if cfg.Method.usesSketch() {
		var err error
		if hash, err = sketch.NewHash(d, cfg.Rows, cfg.Cols, cfg.SketchSeed); err != nil {
			return nil, fmt.Errorf("dsgd: %w", err)
		}
	}
	perWorker := cfg.Batch / W
	n := task.NumTrain()
	ws := make([]*worker, W)
	for i := range ws {
		wk := &worker{rng: rand.New(rand.NewPCG(cfg.Seed, 1000+uint64(i))), idx: make([]int, perWorker), g: make([]float64, d)}
		if cfg.Method != Vanilla {
			wk.u, wk.v = make([]float64, d), make([]float64, d)
		}
		if hash != nil && !cfg.ShortcutSum {
			wk.sk, _ = sketch.New(hash)
			_ = wk.sk.SetWorkers(1)
		}
		ws[i] = wk
	}
	serverRng := rand.New(rand.NewPCG(cfg.Seed, 1))
	w := make([]float64, d)
	var mom, sum, est, vals, avg []float64
	var perm []int
	if cfg.Method == Vanilla {
		mom, sum = make([]float64, d), make([]float64, d)
	} else {
		sum = make([]float64, d)
	}
	if cfg.WeightedAvg {
		avg = make([]float64, d)
	}
	var serverSketch *sketch.CountSketch
	if hash != nil {
		serverSketch, _ = sketch.New(hash)
	}
	if cfg.Method == RandomK {
		perm = make([]int, d)
		for i := range perm {
			perm[i] = i
		}
	}
	var sel, trueSel sketch.Selector
	var applied, cand, trueTop []int
	inApplied := make([]bool, d)
	res := &Result{Label: cfg.Label(), Config: cfg, BatchLoss: make([]float64, 0, T), UpdatedPerStep: make([]int, 0, T)}
	upPerStep, downIdx := func() (int64, int64) {
		switch cfg.Method {
		case Vanilla:
			return int64(d), 0
		case TrueTopK:
			return int64(d), int64(k)
		case LocalTopK, RandomK:
			return int64(k), 0
		case Sketched:
			return int64(cfg.Rows*cfg.Cols + cfg.P*k), int64(cfg.P*k + k)
		case SketchedNoSecondRound:
			return int64(cfg.Rows * cfg.Cols), int64(k)
		default: // HeavyMixEF
			return int64(cfg.Rows*cfg.Cols + k), int64(2 * k)
		}
	}()
	qsum := 0.0
	for t := 1; t <= T; t++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		eta := cfg.LR
		if cfg.Xi > 0 {
			eta = 1 / (float64(t) + cfg.Xi)
		}
		// Workers: local gradient, momentum, error accumulation, local compression.
		local := func(wk *worker) {
			for q := range wk.idx {
				wk.idx[q] = wk.rng.IntN(n)
			}
			clear(wk.g)
			wk.loss = task.AddGrad(w, wk.idx, 1/float64(cfg.Batch), wk.g)
			if cfg.Method == Vanilla {
				return
			}
			m := cfg.Momentum
			for j, gj := range wk.g {
				uj := m*wk.u[j] + gj
				wk.u[j] = uj
				if cfg.NoErrorFeedback {
					wk.v[j] = eta * uj
				} else {
					wk.v[j] += eta * uj
				}
			}
			switch {
			case wk.sk != nil:
				wk.sk.Zero()
				_ = wk.sk.Add(wk.v)
			case cfg.Method == LocalTopK:
				wk.sent = wk.sel.TopK(wk.v, k, wk.sent)
			}
		}
		if cfg.Parallel && W > 1 {
			procs := min(W, runtime.GOMAXPROCS(0))
			var wg sync.WaitGroup
			for p := 0; p < procs; p++ {
				lo, hi := W*p/procs, W*(p+1)/procs
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := lo; i < hi; i++ {
						local(ws[i])
					}
				}()
			}
			wg.Wait()
		} else {
			for _, wk := range ws {
				local(wk)
			}
		}
		batchLoss := 0.0
		for _, wk := range ws {
			batchLoss += wk.loss
		}
		res.BatchLoss = append(res.BatchLoss, batchLoss/float64(cfg.Batch))

		// Server.
		applied = applied[:0]
		downFloats := int64(k)
		needSum := cfg.Method == TrueTopK || cfg.TrackOverlap || (cfg.ShortcutSum && hash != nil)
		if cfg.Method == Vanilla {
			clear(sum)
			for _, wk := range ws {
				for j, gj := range wk.g {
					sum[j] += gj
				}
			}
			for j := range w {
				mom[j] = cfg.Momentum*mom[j] + sum[j]
				w[j] -= eta * mom[j]
			}
			downFloats = int64(d)
		} else {
			if needSum {
				clear(sum)
				for _, wk := range ws {
					for j, vj := range wk.v {
						sum[j] += vj
					}
				}
			}
			if hash != nil {
				serverSketch.Zero()
				if cfg.ShortcutSum {
					_ = serverSketch.Add(sum)
				} else {
					for _, wk := range ws {
						_ = serverSketch.Merge(wk.sk)
					}
				}
			}
			switch cfg.Method {
			case TrueTopK:
				applied = sel.TopK(sum, k, applied)
				vals = gather(vals, sum, applied)
			case Sketched:
				est = serverSketch.QueryAll(est)
				cand = sel.TopK(est, cfg.P*k, cand)
				slices.Sort(cand) // ties among exact values then go to the lower coordinate
				vals = exactSum(vals, ws, cand)
				pick := sel.TopK(vals, k, nil)
				applied = applied[:0]
				picked := make([]float64, len(pick))
				for q, p := range pick {
					applied = append(applied, cand[p])
					picked[q] = vals[p]
				}
				vals = picked
			case SketchedNoSecondRound:
				est = serverSketch.QueryAll(est)
				applied = sel.TopK(est, k, applied)
				vals = gather(vals, est, applied)
			case HeavyMixEF:
				heavy, fill, err := serverSketch.HeavyMix(k, serverRng)
				if err != nil {
					return nil, fmt.Errorf("dsgd: step %d: %w", t, err)
				}
				applied = append(append(applied, heavy...), fill...)
				vals = exactSum(vals, ws, applied)
			case RandomK:
				for q := 0; q < k; q++ { // partial Fisher–Yates on a persistent permutation
					u := q + serverRng.IntN(d-q)
					perm[q], perm[u] = perm[u], perm[q]
				}
				applied = append(applied, perm[:k]...)
				vals = exactSum(vals, ws, applied)
			case LocalTopK:
				clear(sum)
				for _, wk := range ws {
					for _, j := range wk.sent {
						if !inApplied[j] {
							inApplied[j] = true
							applied = append(applied, j)
						}
						sum[j] += wk.v[j]
					}
				}
				for _, j := range applied {
					inApplied[j] = false
				}
				slices.Sort(applied)
				vals = gather(vals, sum, applied)
				downFloats = int64(len(applied))
			}
			if cfg.TrackOverlap {
				if cfg.Method == LocalTopK { // sum was overwritten with the sent values
					clear(sum)
					for _, wk := range ws {
						for j, vj := range wk.v {
							sum[j] += vj
						}
					}
				}
				trueTop = trueSel.TopK(sum, k, trueTop)
				hit := 0
				for _, j := range trueTop {
					inApplied[j] = true
				}
				for _, j := range applied {
					if inApplied[j] {
						hit++
					}
				}
				for _, j := range trueTop {
					inApplied[j] = false
				}
				res.Overlap = append(res.Overlap, float64(hit)/float64(k))
			}
			for q, j := range applied {
				w[j] -= vals[q]
			}
			if cfg.Method == LocalTopK {
				for _, wk := range ws {
					for _, j := range wk.sent {
						wk.v[j] = 0
						if !cfg.NoMasking {
							wk.u[j] = 0
						}
					}
				}
			} else {
				for _, wk := range ws {
					for _, j := range applied {
						wk.v[j] = 0
						if !cfg.NoMasking {
							wk.u[j] = 0
						}
					}
				}
			}
		}
		res.UpdatedPerStep = append(res.UpdatedPerStep, max(len(applied), boolInt(cfg.Method == Vanilla)*d))
		res.Comm.UpFloats += upPerStep
		res.Comm.DownFloats += downFloats
		res.Comm.DownIndices += downIdx
		if cfg.Method == LocalTopK {
			res.Comm.UpIndices += int64(k)
			res.Comm.DownIndices += int64(len(applied))
		}
		if cfg.WeightedAvg {
			q := (cfg.Xi + float64(t)) * (cfg.Xi + float64(t))
			qsum += q
			f := q / qsum
			for j := range avg {
				avg[j] += f * (w[j] - avg[j])
			}
		}
		if t == T || (cfg.EvalEvery > 0 && t%cfg.EvalEvery == 0) {
			ev := w
			if cfg.WeightedAvg {
				ev = avg
			}
			tr, _ := task.Eval(ev, Train)
			te, acc := task.Eval(ev, Test)
			res.EvalSteps = append(res.EvalSteps, t)
			res.TrainLoss = append(res.TrainLoss, tr)
			res.TestLoss = append(res.TestLoss, te)
			res.TestAcc = append(res.TestAcc, acc)
		}
	}
	res.FinalW = w
	res.AvgW = avg
	res.Compression = 2 * float64(d) * float64(T) / float64(res.Comm.UpFloats+res.Comm.DownFloats)
	res.Elapsed = time.Since(start)
	return res, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func gather(dst, src []float64, idx []int) []float64 {
	dst = dst[:0]
	for _, j := range idx {
		dst = append(dst, src[j])
	}
	return dst
}

// exactSum is the second round: Σ_w v^w[idx], summed in worker order.
func exactSum(dst []float64, ws []*worker, idx []int) []float64 {
	dst = dst[:0]
	for range idx {
		dst = append(dst, 0)
	}
	for _, wk := range ws {
		for q, j := range idx {
			dst[q] += wk.v[j]
		}
	}
	return dst
}

// Comparison is a table of runs with test-loss ratios to the first run.
type Comparison struct{ Results []*Result }

// Compare builds a Comparison; the first result is the baseline of the ratio column.
func Compare(results []*Result) *Comparison { return &Comparison{Results: results} }

// HTML renders method, workers, final losses, ratio, compression and per-step traffic.
func (c *Comparison) HTML() string {
	var b strings.Builder
	b.WriteString("<table><thead><tr><th>method</th><th>W</th><th>T</th><th>train loss</th><th>test loss</th><th>ratio</th><th>test acc</th><th>compression</th><th>up/step</th><th>down/step</th><th>time</th></tr></thead><tbody>")
	if len(c.Results) == 0 {
		b.WriteString("</tbody></table>")
		return b.String()
	}
	base := c.Results[0].FinalTestLoss()
	for _, r := range c.Results {
		T := float64(r.Config.Steps)
		fmt.Fprintf(&b, "<tr><td>%s</td><td>%d</td><td>%d</td><td>%.4f</td><td>%.4f</td><td>%.3f</td><td>%.4f</td><td>%.2f×</td><td>%.0f</td><td>%.1f</td><td>%v</td></tr>",
			html.EscapeString(r.Label), r.Config.Workers, r.Config.Steps, r.FinalTrainLoss(), r.FinalTestLoss(), r.FinalTestLoss()/base,
			r.TestAcc[len(r.TestAcc)-1], r.Compression, float64(r.Comm.UpFloats)/T, float64(r.Comm.DownFloats)/T, r.Elapsed.Round(time.Millisecond))
	}
	b.WriteString("</tbody></table>")
	return b.String()
}
