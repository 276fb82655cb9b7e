package experiment

import (
	"context"
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gonote/gonote/stdlib/stats"
)

func draws(trial int, rng *rand.Rand) ([]float64, error) {
	s := 0.0
	for k := 0; k < 100+trial%7*50; k++ { // uneven work so workers interleave
		s += rng.NormFloat64()
	}
	return []float64{s, float64(trial)}, nil
}

func TestTrialsIndependentOfWorkers(t *testing.T) {
	want := make([][]float64, 53)
	for i := range want {
		want[i], _ = draws(i, rand.New(rand.NewPCG(99, uint64(i))))
	}
	for _, w := range []int{1, 2, 3, 8, 100} {
		got, err := TrialsWith(context.Background(), 53, 99, Options{Workers: w}, draws)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("workers=%d: results differ from the serial per-trial streams", w)
		}
	}
}

func TestRunGeneric(t *testing.T) {
	type pair struct{ a, b int }
	got, err := Run(context.Background(), 5, 1, Options{}, func(i int, rng *rand.Rand) (pair, error) {
		return pair{i, i * i}, nil
	})
	if err != nil || !reflect.DeepEqual(got, []pair{{0, 0}, {1, 1}, {2, 4}, {3, 9}, {4, 16}}) {
		t.Fatalf("Run = %v, %v", got, err)
	}
}

func TestProgress(t *testing.T) {
	for _, n := range []int{1, 7, 1000} {
		var calls [][2]int
		_, err := TrialsWith(context.Background(), n, 1, Options{Workers: 2, Progress: func(d, tot int) { calls = append(calls, [2]int{d, tot}) }}, draws)
		if err != nil {
			t.Fatal(err)
		}
		if len(calls) == 0 || len(calls) > 101 {
			t.Fatalf("n=%d: %d progress calls, want 1..101", n, len(calls))
		}
		if last := calls[len(calls)-1]; last != [2]int{n, n} {
			t.Fatalf("n=%d: last progress %v, want (n, n)", n, last)
		}
		for i := 1; i < len(calls); i++ {
			if calls[i][0] <= calls[i-1][0] {
				t.Fatalf("n=%d: progress not increasing: %v", n, calls)
			}
		}
	}
}

func TestTrialsErrors(t *testing.T) {
	boom := errors.New("boom")
	cases := []struct {
		name string
		ctx  context.Context
		n    int
		fn   TrialFunc
		want string
		is   error
	}{
		{"n zero", context.Background(), 0, draws, "n = 0 trials, must be >= 1", nil},
		{"nil fn", context.Background(), 3, nil, "fn is nil", nil},
		{"nil ctx", nil, 3, draws, "ctx is nil", nil},
		{"trial error", context.Background(), 20, func(i int, r *rand.Rand) ([]float64, error) {
			if i == 3 || i == 11 {
				return nil, boom
			}
			return []float64{1}, nil
		}, "trial 3: boom", boom},
		{"panic", context.Background(), 4, func(i int, r *rand.Rand) ([]float64, error) {
			var m map[string]int
			m["x"] = i // panics
			return nil, nil
		}, "panic: assignment to entry in nil map", nil},
	}
	for _, c := range cases {
		_, err := TrialsWith(c.ctx, c.n, 1, Options{Workers: 1}, c.fn)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want containing %q", c.name, err, c.want)
		}
		if c.is != nil && !errors.Is(err, c.is) {
			t.Errorf("%s: err does not wrap %v", c.name, c.is)
		}
	}
}

func TestCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var ran atomic.Int64
	_, err := TrialsWith(ctx, 10000, 1, Options{Workers: 2}, func(i int, r *rand.Rand) ([]float64, error) {
		if ran.Add(1) == 10 {
			cancel()
		}
		return []float64{0}, nil
	})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "cancelled after") {
		t.Fatalf("err = %v, want wrapped context.Canceled", err)
	}
	if n := ran.Load(); n >= 10000 {
		t.Fatalf("all %d trials ran despite cancellation", n)
	}
	_, err = Trials(ctx, 5, 1, draws)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "before start") {
		t.Fatalf("pre-cancelled: err = %v", err)
	}
}

func TestSweep(t *testing.T) {
	spec := SweepSpec{Title: "demo <b>", XName: "T", X: []float64{10, 20, 40}, Metrics: []string{"sum", "x"}, Trials: 30, Seed: 5}
	fn := func(p int, x float64, trial int, rng *rand.Rand) ([]float64, error) {
		return []float64{x + rng.Float64(), x}, nil
	}
	tab, err := Sweep(context.Background(), spec, fn)
	if err != nil {
		t.Fatal(err)
	}
	spec.Options.Workers = 1
	tab1, _ := Sweep(context.Background(), spec, fn)
	if !reflect.DeepEqual(tab.Raw, tab1.Raw) {
		t.Fatal("sweep depends on worker count")
	}
	// Streams follow the documented rule.
	for p := range spec.X {
		for tr := 0; tr < spec.Trials; tr++ {
			want := spec.X[p] + rand.New(rand.NewPCG(5, uint64(p)<<32|uint64(tr))).Float64()
			if tab.Raw[p][tr][0] != want {
				t.Fatalf("point %d trial %d: %v, want %v", p, tr, tab.Raw[p][tr][0], want)
			}
		}
	}
	// Summaries equal stats.Describe of the raw samples.
	for p := range spec.X {
		s, _ := tab.Samples("sum", p)
		d, _ := stats.Describe(s)
		if tab.Stats[0][p] != d {
			t.Fatalf("point %d: summary %+v != Describe %+v", p, tab.Stats[0][p], d)
		}
	}
	b, err := tab.Band("sum")
	if err != nil || len(b.X) != 3 || b.X[2] != 40 || !(b.Lo[1] < b.Mean[1] && b.Mean[1] < b.Hi[1]) || b.Mean[1] < 20 || b.Mean[1] > 21 {
		t.Fatalf("band = %+v, %v", b, err)
	}
	if _, err := tab.Band("nope"); err == nil || !strings.Contains(err.Error(), `metric "nope"`) {
		t.Fatalf("unknown metric: %v", err)
	}
	h := tab.HTML()
	for _, want := range []string{"<table", "<caption>demo &lt;b&gt;</caption>", "<th>T</th>", "<th>sum mean</th>", "<td>40</td>"} {
		if !strings.Contains(h, want) {
			t.Errorf("HTML lacks %q:\n%s", want, h)
		}
	}
	if s := tab.String(); !strings.Contains(s, "sum mean") || strings.Count(s, "\n") != 5 {
		t.Errorf("String():\n%s", s)
	}
}

func TestSweepErrors(t *testing.T) {
	ok := func(p int, x float64, tr int, r *rand.Rand) ([]float64, error) { return []float64{1}, nil }
	cases := []struct {
		name string
		spec SweepSpec
		fn   SweepFunc
		want string
	}{
		{"no X", SweepSpec{Metrics: []string{"a"}, Trials: 1}, ok, "X is empty"},
		{"no metrics", SweepSpec{X: []float64{1}, Trials: 1}, ok, "Metrics is empty"},
		{"trials", SweepSpec{X: []float64{1}, Metrics: []string{"a"}, Trials: 0}, ok, "Trials = 0"},
		{"nil fn", SweepSpec{X: []float64{1}, Metrics: []string{"a"}, Trials: 1}, nil, "fn is nil"},
		{"metric count", SweepSpec{XName: "n", X: []float64{4}, Metrics: []string{"a", "b"}, Trials: 2}, ok, "n = 4: fn returned 1 metrics, want 2"},
	}
	for _, c := range cases {
		if _, err := Sweep(context.Background(), c.spec, c.fn); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := NewTable("", "", []float64{1}, []string{"a"}, [][][]float64{{}}); err == nil || !strings.Contains(err.Error(), "raw[0]") {
		t.Errorf("NewTable empty point: %v", err)
	}
}
