package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

func checkLogits(what string, z *mat.Dense) (n, c int, err error) {
	if z == nil {
		return 0, 0, fmt.Errorf("nn: %s: logits are nil", what)
	}
	n, c = z.Dims()
	if n == 0 || c == 0 {
		return 0, 0, fmt.Errorf("nn: %s: logits are empty", what)
	}
	return n, c, nil
}

func checkTemp(what string, temp float64) error {
	if !(temp > 0) || math.IsInf(temp, 1) {
		return fmt.Errorf("nn: %s: temperature = %v, must be in (0, ∞)", what, temp)
	}
	return nil
}

// softmaxRow writes softmax(z/temp) into p and returns log of the
// normaliser's complement: logp_j = z_j/temp − lse.
func softmaxRow(p, z []float64, temp float64) (lse float64) {
	mx := math.Inf(-1)
	for _, v := range z {
		if v/temp > mx {
			mx = v / temp
		}
	}
	s := 0.0
	for j, v := range z {
		e := math.Exp(v/temp - mx)
		p[j] = e
		s += e
	}
	inv := 1 / s
	for j := range p {
		p[j] *= inv
	}
	return mx + math.Log(s)
}

// SoftmaxRows returns softmax(logits/temp) row by row (temp > 0).
func SoftmaxRows(logits *mat.Dense, temp float64) (*mat.Dense, error) {
	n, c, err := checkLogits("SoftmaxRows", logits)
	if err != nil {
		return nil, err
	}
	if err := checkTemp("SoftmaxRows", temp); err != nil {
		return nil, err
	}
	p := mat.NewDense(n, c, nil)
	for i := 0; i < n; i++ {
		softmaxRow(p.RawRowView(i), logits.RawRowView(i), temp)
	}
	return p, nil
}

// CrossEntropy is mean_b −log softmax(logits_b)[y_b] and its gradient
// (p − onehot(y))/n. Labels must lie in [0, columns).
func CrossEntropy(logits *mat.Dense, y []int) (float64, *mat.Dense, error) {
	n, c, err := checkLogits("CrossEntropy", logits)
	if err != nil {
		return 0, nil, err
	}
	if len(y) != n {
		return 0, nil, fmt.Errorf("nn: CrossEntropy: %d labels for %d rows", len(y), n)
	}
	g := mat.NewDense(n, c, nil)
	loss := 0.0
	inv := 1 / float64(n)
	for i := 0; i < n; i++ {
		if y[i] < 0 || y[i] >= c {
			return 0, nil, fmt.Errorf("nn: CrossEntropy: label y[%d] = %d, valid range [0, %d)", i, y[i], c)
		}
		row := g.RawRowView(i)
		lse := softmaxRow(row, logits.RawRowView(i), 1)
		loss += lse - logits.At(i, y[i])
		row[y[i]] -= 1
		for j := range row {
			row[j] *= inv
		}
	}
	return loss * inv, g, nil
}

// SoftTargetCE is mean_b −Σ_c t_bc log softmax(logits_b)_c for a target
// matrix of the same shape (rows normally sum to 1; a uniform row is the
// outlier-exposure target). Gradient: (p·Σ_c t_c − t)/n.
func SoftTargetCE(logits, target *mat.Dense) (float64, *mat.Dense, error) {
	n, c, err := checkLogits("SoftTargetCE", logits)
	if err != nil {
		return 0, nil, err
	}
	if target == nil {
		return 0, nil, fmt.Errorf("nn: SoftTargetCE: target is nil")
	}
	if r, k := target.Dims(); r != n || k != c {
		return 0, nil, fmt.Errorf("nn: SoftTargetCE: target is %d×%d, logits are %d×%d", r, k, n, c)
	}
	g := mat.NewDense(n, c, nil)
	loss := 0.0
	inv := 1 / float64(n)
	for i := 0; i < n; i++ {
		row, z, t := g.RawRowView(i), logits.RawRowView(i), target.RawRowView(i)
		lse := softmaxRow(row, z, 1)
		ts := 0.0
		for j, tj := range t {
			loss -= tj * (z[j] - lse)
			ts += tj
		}
		for j := range row {
			row[j] = (row[j]*ts - t[j]) * inv
		}
	}
	return loss * inv, g, nil
}

// KLDistill is the distillation loss τ²·mean_b KL(softmax(t_b/τ) ‖
// softmax(s_b/τ)) with its gradients for the student logits,
// dS = τ(p_S − p_T)/n, and for the teacher logits,
// dT = τ·p_T⊙(log p_T − log p_S − KL_b)/n (needed when a generator is
// trained through a frozen teacher).
func KLDistill(tLogits, sLogits *mat.Dense, temp float64) (loss float64, dT, dS *mat.Dense, err error) {
	n, c, err := checkLogits("KLDistill", tLogits)
	if err != nil {
		return 0, nil, nil, err
	}
	if sLogits == nil {
		return 0, nil, nil, fmt.Errorf("nn: KLDistill: student logits are nil")
	}
	if r, k := sLogits.Dims(); r != n || k != c {
		return 0, nil, nil, fmt.Errorf("nn: KLDistill: student logits are %d×%d, teacher logits %d×%d", r, k, n, c)
	}
	if err := checkTemp("KLDistill", temp); err != nil {
		return 0, nil, nil, err
	}
	dT = mat.NewDense(n, c, nil)
	dS = mat.NewDense(n, c, nil)
	scale := temp / float64(n)
	for i := 0; i < n; i++ {
		pt, ps := dT.RawRowView(i), dS.RawRowView(i)
		t, s := tLogits.RawRowView(i), sLogits.RawRowView(i)
		lt := softmaxRow(pt, t, temp)
		ls := softmaxRow(ps, s, temp)
		kl := 0.0
		for j := range pt {
			// log p_T − log p_S, computed from the logits for accuracy.
			d := (t[j]-s[j])/temp - lt + ls
			kl += pt[j] * d
		}
		loss += kl
		for j := range pt {
			d := (t[j]-s[j])/temp - lt + ls
			ps[j] = scale * (ps[j] - pt[j])
			pt[j] = scale * pt[j] * (d - kl)
		}
	}
	return temp * temp * loss / float64(n), dT, dS, nil
}

// Entropy is mean_b H(softmax(logits_b)) with H(p) = −Σ p log p, and its
// gradient dH/dz_j = −p_j(log p_j + H)/n.
func Entropy(logits *mat.Dense) (float64, *mat.Dense, error) {
	n, c, err := checkLogits("Entropy", logits)
	if err != nil {
		return 0, nil, err
	}
	g := mat.NewDense(n, c, nil)
	total := 0.0
	inv := 1 / float64(n)
	for i := 0; i < n; i++ {
		p, z := g.RawRowView(i), logits.RawRowView(i)
		lse := softmaxRow(p, z, 1)
		h := 0.0
		for j, pj := range p {
			h -= pj * (z[j] - lse)
		}
		total += h
		for j, pj := range p {
			p[j] = -pj * (z[j] - lse + h) * inv
		}
	}
	return total * inv, g, nil
}

// NegEntropyOfMean is Σ_c p̄_c log p̄_c for the batch-mean prediction
// p̄ = mean_b softmax(logits_b) (natural log, or log₂ if log2), and its
// gradient p_bj(g_j − Σ_c p_bc g_c) with g_c = (log p̄_c + 1)/n.
// Minimising it spreads the batch over the classes.
func NegEntropyOfMean(logits *mat.Dense, log2 bool) (float64, *mat.Dense, error) {
	n, c, err := checkLogits("NegEntropyOfMean", logits)
	if err != nil {
		return 0, nil, err
	}
	p := mat.NewDense(n, c, nil)
	mean := make([]float64, c)
	for i := 0; i < n; i++ {
		row := p.RawRowView(i)
		softmaxRow(row, logits.RawRowView(i), 1)
		for j, v := range row {
			mean[j] += v
		}
	}
	unit := 1.0
	if log2 {
		unit = 1 / math.Ln2
	}
	loss := 0.0
	gc := make([]float64, c)
	for j := range mean {
		mean[j] /= float64(n)
		if mean[j] == 0 { // every p_bj underflowed to 0: no loss, no gradient
			continue
		}
		lm := math.Log(mean[j])
		loss += mean[j] * lm
		gc[j] = (lm + 1) * unit / float64(n)
	}
	for i := 0; i < n; i++ {
		row := p.RawRowView(i)
		dot := 0.0
		for j, v := range row {
			dot += v * gc[j]
		}
		for j, v := range row {
			row[j] = v * (gc[j] - dot)
		}
	}
	return loss * unit, p, nil
}

// BCEWithLogits is Σ_i [softplus(s_i) − target·s_i] / norm over every entry
// of s (binary cross-entropy with a common target in [0, 1]), and its
// gradient (σ(s) − target)/norm. norm > 0.
func BCEWithLogits(s *mat.Dense, target, norm float64) (float64, *mat.Dense, error) {
	n, c, err := checkLogits("BCEWithLogits", s)
	if err != nil {
		return 0, nil, err
	}
	if !(target >= 0 && target <= 1) {
		return 0, nil, fmt.Errorf("nn: BCEWithLogits: target = %v, valid range [0, 1]", target)
	}
	if !(norm > 0) || math.IsInf(norm, 1) {
		return 0, nil, fmt.Errorf("nn: BCEWithLogits: norm = %v, must be in (0, ∞)", norm)
	}
	g := mat.NewDense(n, c, nil)
	gd := g.RawMatrix().Data
	loss := 0.0
	inv := 1 / norm
	for i := 0; i < n; i++ {
		row := s.RawRowView(i)
		for j, v := range row {
			// softplus(v) = max(v,0) + log1p(exp(−|v|)), stable for any v.
			sp := math.Max(v, 0) + math.Log1p(math.Exp(-math.Abs(v)))
			loss += sp - target*v
			gd[i*c+j] = (1/(1+math.Exp(-v)) - target) * inv
		}
	}
	return loss * inv, g, nil
}

// GradCheck compares the analytic gradient g of loss with central
// differences (loss(w+eps) − loss(w−eps))/(2eps) on k coordinates of w
// drawn with rand.NewPCG(seed, 0) (all coordinates if k ≥ len(w)). It
// restores w and returns the largest relative error
// |num − ana| / max(|num| + |ana|, 1e-8). g must already hold the gradient
// at the current w, and loss must read w.
func GradCheck(loss func() float64, w, g []float64, eps float64, k int, seed uint64) (float64, error) {
	if loss == nil {
		return 0, fmt.Errorf("nn: GradCheck: loss is nil")
	}
	if len(w) == 0 || len(g) != len(w) {
		return 0, fmt.Errorf("nn: GradCheck: w has %d entries and g %d, need the same positive length", len(w), len(g))
	}
	if !(eps > 0) || eps > 1 {
		return 0, fmt.Errorf("nn: GradCheck: eps = %v, valid range (0, 1]", eps)
	}
	if k <= 0 {
		return 0, fmt.Errorf("nn: GradCheck: k = %d, must be positive", k)
	}
	idx := make([]int, len(w))
	for i := range idx {
		idx[i] = i
	}
	if k < len(w) {
		rng := rand.New(rand.NewPCG(seed, 0))
		rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		idx = idx[:k]
	}
	worst := 0.0
	for _, i := range idx {
		orig := w[i]
		w[i] = orig + eps
		up := loss()
		w[i] = orig - eps
		down := loss()
		w[i] = orig
		num := (up - down) / (2 * eps)
		rel := math.Abs(num-g[i]) / math.Max(math.Abs(num)+math.Abs(g[i]), 1e-8)
		if math.IsNaN(rel) {
			return math.Inf(1), fmt.Errorf("nn: GradCheck: coordinate %d gives NaN (numeric %v, analytic %v)", i, num, g[i])
		}
		worst = math.Max(worst, rel)
	}
	return worst, nil
}
