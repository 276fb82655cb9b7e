package assocmem

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// queryBlock is the number of queries whose logits are formed at once
// (a queryBlock×N matrix).
const queryBlock = 256

// Capacity summarizes which of the queried items a matrix W recovers.
type Capacity struct {
	// NRec is the number of recovered items among the queried ones.
	NRec int
	// KAll is the largest K such that all of the top-K items are recovered.
	KAll int
	// K90 is the largest K such that at least 90 % of the top-K items are
	// recovered (0 if even item 1 is not).
	K90 int
	// E01 is the weighted recall error 1 − Σ_{recovered k} p_k; items beyond
	// the queried range count as not recovered.
	E01 float64
}

// Summarize computes the capacity measures of a recovery indicator rec over
// the top len(rec) items with frequencies p (len(p) ≥ len(rec)).
func Summarize(rec []bool, p []float64) (Capacity, error) {
	if len(p) < len(rec) {
		return Capacity{}, fmt.Errorf("assocmem: len(p) = %d < len(rec) = %d; need a frequency per queried item", len(p), len(rec))
	}
	var c Capacity
	all := true
	mass := 0.0
	for k, r := range rec {
		if r {
			c.NRec++
			mass += p[k]
		} else {
			all = false
		}
		if all {
			c.KAll = k + 1
		}
		if 10*c.NRec >= 9*(k+1) {
			c.K90 = k + 1
		}
	}
	c.E01 = math.Max(0, 1-mass)
	return c, nil
}

func (t *Task) checkKq(kq int) error {
	if kq < 1 || kq > t.N {
		return fmt.Errorf("assocmem: kq = %d; need 1 ≤ kq ≤ N = %d", kq, t.N)
	}
	return nil
}

// Recovered reports for the items 1..kq (indices 0..kq−1) whether W
// retrieves them: z_k(k) > max_{j≠k} z_j(k), the maximum taken over all N
// outputs; ties count as not recovered. Queries are evaluated in blocks of
// 256 with one matrix product each.
//
// The products run in float32 (1.3–1.6× faster than float64 in gonum's
// pure-Go BLAS); a query whose float32 margin z_k(k) − max_{j≠k} z_j(k) is
// within twice the rounding-error bound (d+3)·2⁻²⁴·‖W x_k‖·max_j ‖y_j‖ is
// decided again in float64, so the result is the float64 decision.
func (t *Task) Recovered(W mat.Matrix, kq int) ([]bool, error) {
	return t.RecoveredCtx(context.Background(), W, kq)
}

// RecoveredCtx is Recovered with cancellation between query blocks.
func (t *Task) RecoveredCtx(ctx context.Context, W mat.Matrix, kq int) ([]bool, error) {
	if err := t.checkW(W); err != nil {
		return nil, err
	}
	if err := t.checkKq(kq); err != nil {
		return nil, err
	}
	d, n := t.D, t.N
	// Row k of M = X_qᵀ Wᵀ is (W x_k)ᵀ; the logits of query k are M_k Y.
	var mq mat.Dense
	mq.Mul(t.xt.Slice(0, kq, 0, d), W.T())
	raw := mq.RawMatrix()
	m32 := make([]float32, kq*d)
	for k := 0; k < kq; k++ {
		for r, v := range raw.Data[k*raw.Stride : k*raw.Stride+d] {
			m32[k*d+r] = float32(v)
		}
	}
	const u32 = 1.0 / (1 << 24)
	rec := make([]bool, kq)
	nb := min(queryBlock, kq)
	z := make([]float32, nb*n)
	z64 := make([]float64, n)
	yg := blas64.General{Rows: d, Cols: n, Stride: n, Data: t.Y.RawMatrix().Data}
	for k0 := 0; k0 < kq; k0 += queryBlock {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("assocmem: recovery: %w", err)
		}
		m := min(queryBlock, kq-k0)
		blas32.Gemm(blas.NoTrans, blas.NoTrans, 1,
			blas32.General{Rows: m, Cols: d, Stride: d, Data: m32[k0*d : (k0+m)*d]},
			blas32.General{Rows: d, Cols: n, Stride: n, Data: t.y32},
			0, blas32.General{Rows: m, Cols: n, Stride: n, Data: z[:m*n]})
		for q := 0; q < m; q++ {
			k := k0 + q
			row := z[q*n : (q+1)*n]
			own := float64(row[k])
			other := math.Inf(-1)
			for j, v := range row {
				if j != k && float64(v) > other {
					other = float64(v)
				}
			}
			mk := raw.Data[k*raw.Stride : k*raw.Stride+d]
			bound := 2 * float64(d+3) * u32 * floats.Norm(mk, 2) * t.ymax * 1.01
			margin := own - other
			if math.Abs(margin) > bound {
				rec[k] = margin > 0
				continue
			}
			// Too close to call in float32: redo this query in float64.
			blas64.Gemv(blas.Trans, 1, yg, blas64.Vector{N: d, Inc: 1, Data: mk}, 0, blas64.Vector{N: n, Inc: 1, Data: z64})
			rec[k] = strictArgmax(z64, k)
		}
	}
	return rec, nil
}

// strictArgmax reports whether row[k] is strictly larger than every other entry.
func strictArgmax(row []float64, k int) bool {
	v := row[k]
	for j, z := range row {
		if j != k && z >= v {
			return false
		}
	}
	return true
}

// LossGrad returns the exact gradient ∇L(W) = Σ_i w_i Σ_j (s_j(i) − δ_ij) y_j x_iᵀ
// and the loss L(W) = Σ_i w_i [−z_i(i) + log Σ_j exp z_j(i)] of the softmax
// cross-entropy, with a stable log-sum-exp. It costs about 2·N·N·d flops per
// item with non-zero weight.
func (t *Task) LossGrad(W mat.Matrix, w []float64) (grad *mat.Dense, loss float64, err error) {
	grad, loss, _, err = t.lossGradRecall(context.Background(), W, w, 0)
	return grad, loss, err
}

// lossGradRecall computes the gradient and the loss at W for weights w and,
// when kq > 0, the recovery indicator of items 0..kq−1 from the same logits.
// Queries with zero weight are skipped unless they are needed for recovery.
func (t *Task) lossGradRecall(ctx context.Context, W mat.Matrix, w []float64, kq int) (*mat.Dense, float64, []bool, error) {
	if err := t.checkW(W); err != nil {
		return nil, 0, nil, err
	}
	if err := t.checkWeights(w); err != nil {
		return nil, 0, nil, err
	}
	if kq != 0 {
		if err := t.checkKq(kq); err != nil {
			return nil, 0, nil, err
		}
	}
	// Queries to evaluate: every item with weight, plus 0..kq−1.
	var qs []int
	for i := 0; i < t.N; i++ {
		if w[i] != 0 || i < kq {
			qs = append(qs, i)
		}
	}
	var wty mat.Dense
	wty.Mul(W.T(), t.Y)
	rec := make([]bool, kq)
	acc := mat.NewDense(t.N, t.D, nil) // Σ_i Q_iᵀ x_iᵀ, N×d
	nb := min(queryBlock, len(qs))
	xb := mat.NewDense(nb, t.D, nil)
	z := mat.NewDense(nb, t.N, nil)
	var part mat.Dense
	loss := 0.0
	for b0 := 0; b0 < len(qs); b0 += queryBlock {
		if err := ctx.Err(); err != nil {
			return nil, 0, nil, fmt.Errorf("assocmem: gradient: %w", err)
		}
		b1 := min(b0+queryBlock, len(qs))
		m := b1 - b0
		xs := xb.Slice(0, m, 0, t.D).(*mat.Dense)
		for r := 0; r < m; r++ {
			copy(xs.RawRowView(r), t.xt.RawRowView(qs[b0+r]))
		}
		zb := z.Slice(0, m, 0, t.N).(*mat.Dense)
		zb.Mul(xs, &wty)
		for r := 0; r < m; r++ {
			i := qs[b0+r]
			row := zb.RawRowView(r)
			if i < kq {
				rec[i] = strictArgmax(row, i)
			}
			// Overwrite the logits with w_i (softmax − e_i).
			wi := w[i]
			zi := row[i]
			mx := math.Inf(-1)
			for _, v := range row {
				mx = math.Max(mx, v)
			}
			s := 0.0
			for j, v := range row {
				e := math.Exp(v - mx)
				row[j] = e
				s += e
			}
			loss += wi * (mx + math.Log(s) - zi)
			f := wi / s
			for j := range row {
				row[j] *= f
			}
			row[i] -= wi
		}
		part.Reset()
		part.Mul(zb.T(), xs) // N×d
		acc.Add(acc, &part)
	}
	grad := mat.NewDense(t.D, t.D, nil)
	grad.Mul(t.Y, acc)
	return grad, loss, rec, nil
}
