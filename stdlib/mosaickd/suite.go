package mosaickd

import (
	"fmt"
	"sync"
	"time"

	"gonum.org/v1/gonum/mat"
)

// SuiteConfig sizes an experiment suite: the world, the teacher, the data
// sets (NTrain in-domain training, NTest in-domain test, NOOD OOD and NNoise
// N(0, NoiseStd²·I) points) and the fixed-data baselines (BaselineSteps
// student steps of batch BaselineBatch with Student).
type SuiteConfig struct {
	World                       WorldConfig
	Teacher                     TeacherConfig
	Student                     StudentConfig
	NTrain, NTest, NOOD, NNoise int
	NoiseStd                    float64
	BaselineSteps               int
	BaselineBatch               int
}

// DefaultSuite is the calibrated suite: default world, teacher and
// student; 4000 train, 2000 test, 4000 OOD and 4000 noise points
// (NoiseStd 0.3); baselines of 2000 steps with batch 128.
func DefaultSuite() SuiteConfig {
	return SuiteConfig{World: DefaultWorld(), Teacher: DefaultTeacher(), Student: DefaultStudent(),
		NTrain: 4000, NTest: 2000, NOOD: 4000, NNoise: 4000, NoiseStd: 0.3,
		BaselineSteps: 2000, BaselineBatch: 128}
}

// Suite is one seeded experiment: a world, its data sets and a trained
// teacher, shared (read-only) by every condition it runs.
type Suite struct {
	Seed          uint64
	Cfg           SuiteConfig
	World         *World
	Teacher       *Teacher
	TrainX, TestX *mat.Dense
	TrainY, TestY []int
	OOD, Noise    *mat.Dense
}

// BaselineNames are the fixed-data conditions: distillation on the
// in-domain training set, on the OOD set and on Gaussian noise.
var baselineNames = []string{"kd_real", "kd_ood", "kd_noise"}

// Conditions lists every condition name Suite.Run accepts: the fixed-data
// baselines kd_real, kd_ood, kd_noise, then the presets of Preset.
func Conditions() []string { return append(append([]string(nil), baselineNames...), presetNames...) }

// NewSuite builds the default suite for seed (see NewSuiteWith).
func NewSuite(seed uint64) (*Suite, error) { return NewSuiteWith(DefaultSuite(), seed) }

// NewSuiteWith draws the world (NewWorld(cfg.World, seed)), the data sets
// (each from its own seed derived from seed) and trains the teacher with
// seed.
func NewSuiteWith(cfg SuiteConfig, seed uint64) (*Suite, error) {
	for _, c := range []struct {
		name string
		v    int
	}{{"NTrain", cfg.NTrain}, {"NTest", cfg.NTest}, {"NOOD", cfg.NOOD}, {"NNoise", cfg.NNoise}, {"BaselineBatch", cfg.BaselineBatch}} {
		if c.v < 1 {
			return nil, fmt.Errorf("mosaickd: SuiteConfig.%s = %d, must be ≥ 1", c.name, c.v)
		}
	}
	if cfg.BaselineSteps < 0 {
		return nil, fmt.Errorf("mosaickd: SuiteConfig.BaselineSteps = %d, must be ≥ 0", cfg.BaselineSteps)
	}
	if err := cfg.Student.Validate(); err != nil {
		return nil, fmt.Errorf("mosaickd: SuiteConfig.Student: %w", err)
	}
	s := &Suite{Seed: seed, Cfg: cfg}
	var err error
	if s.World, err = NewWorld(cfg.World, seed); err != nil {
		return nil, err
	}
	if s.TrainX, s.TrainY, err = s.World.SampleID(cfg.NTrain, derive(seed, StreamSampleID, 1)); err != nil {
		return nil, err
	}
	if s.TestX, s.TestY, err = s.World.SampleID(cfg.NTest, derive(seed, StreamSampleID, 2)); err != nil {
		return nil, err
	}
	if s.OOD, err = s.World.SampleOOD(cfg.NOOD, derive(seed, StreamSampleOOD, 1)); err != nil {
		return nil, err
	}
	if s.Noise, err = s.World.SampleNoise(cfg.NNoise, cfg.NoiseStd, derive(seed, StreamSampleNoise, 1)); err != nil {
		return nil, err
	}
	if s.Teacher, err = TrainTeacher(s.World, s.TrainX, s.TrainY, cfg.Teacher, seed); err != nil {
		return nil, err
	}
	return s, nil
}

// Baseline runs one fixed-data condition (kd_real, kd_ood or kd_noise).
func (s *Suite) Baseline(name string) (Result, error) {
	start := time.Now()
	var data *mat.Dense
	switch name {
	case "kd_real":
		data = s.TrainX
	case "kd_ood":
		data = s.OOD
	case "kd_noise":
		data = s.Noise
	default:
		return Result{}, fmt.Errorf("mosaickd: Suite.Baseline: unknown name %q (valid: %v)", name, baselineNames)
	}
	st, err := DistillFixed(s.Teacher.Net, data, s.Cfg.Student, s.Cfg.BaselineSteps, s.Cfg.BaselineBatch, s.Seed)
	if err != nil {
		return Result{}, fmt.Errorf("mosaickd: Suite.Baseline %s: %w", name, err)
	}
	acc, err := Accuracy(st, s.TestX, s.TestY)
	if err != nil {
		return Result{}, fmt.Errorf("mosaickd: Suite.Baseline %s: %w", name, err)
	}
	return Result{Name: name, Acc: acc, Student: st, Seconds: time.Since(start).Seconds()}, nil
}

// RunConfig runs a generator-based condition with an explicit
// configuration (for variants of the presets) and labels it name.
func (s *Suite) RunConfig(name string, cfg MosaicConfig) (Result, error) {
	r, err := RunMosaic(s.World, s.Teacher.Net, s.OOD, s.TestX, s.TestY, cfg, s.Seed)
	if err != nil {
		return Result{}, fmt.Errorf("mosaickd: Suite.RunConfig %s: %w", name, err)
	}
	r.Name = name
	return r, nil
}

// RunOne runs one named condition: a baseline or a preset.
func (s *Suite) RunOne(name string) (Result, error) {
	for _, b := range baselineNames {
		if name == b {
			return s.Baseline(name)
		}
	}
	cfg, err := Preset(name)
	if err != nil {
		return Result{}, fmt.Errorf("mosaickd: Suite.RunOne: unknown condition %q (valid: %v)", name, Conditions())
	}
	return s.RunConfig(name, cfg)
}

// Run runs the named conditions on up to parallel goroutines (parallel ≥ 1)
// and returns their results in the order of names. Every condition owns its
// random streams (all seeded with s.Seed), so the results (apart from
// Seconds) are identical for any parallel. The first error wins.
func (s *Suite) Run(names []string, parallel int) (Results, error) {
	if parallel < 1 {
		return nil, fmt.Errorf("mosaickd: Suite.Run: parallel = %d, must be ≥ 1", parallel)
	}
	valid := map[string]bool{}
	for _, c := range Conditions() {
		valid[c] = true
	}
	for _, n := range names {
		if !valid[n] {
			return nil, fmt.Errorf("mosaickd: Suite.Run: unknown condition %q (valid: %v)", n, Conditions())
		}
	}
	return runParallel(len(names), parallel, func(i int) (Result, error) { return s.RunOne(names[i]) })
}

// RunConfigs runs generator-based conditions with explicit configurations
// (names[i] labels cfgs[i]) like Run: up to parallel goroutines, results in
// input order and independent of parallel.
func (s *Suite) RunConfigs(names []string, cfgs []MosaicConfig, parallel int) (Results, error) {
	if parallel < 1 {
		return nil, fmt.Errorf("mosaickd: Suite.RunConfigs: parallel = %d, must be ≥ 1", parallel)
	}
	if len(names) != len(cfgs) {
		return nil, fmt.Errorf("mosaickd: Suite.RunConfigs: %d names for %d configurations", len(names), len(cfgs))
	}
	for i, c := range cfgs {
		if err := c.Validate(); err != nil {
			return nil, fmt.Errorf("mosaickd: Suite.RunConfigs %s: %w", names[i], err)
		}
	}
	return runParallel(len(names), parallel, func(i int) (Result, error) { return s.RunConfig(names[i], cfgs[i]) })
}

// runParallel runs job(0..n−1) on up to parallel goroutines and collects
// the results by index; the first error in index order wins.
func runParallel(n, parallel int, job func(i int) (Result, error)) (Results, error) {
	out := make(Results, n)
	errs := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for g := 0; g < min(parallel, n); g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i], errs[i] = job(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Results is a list of condition results; it shows itself as an HTML
// table in a notebook.
type Results []Result

// Find returns the result called name.
func (rs Results) Find(name string) (Result, error) {
	for _, r := range rs {
		if r.Name == name {
			return r, nil
		}
	}
	return Result{}, fmt.Errorf("mosaickd: Find: no result called %q", name)
}

// GapRecovery is (methodAcc − oodAcc)/(realAcc − oodAcc): the share of the
// gap between naive OOD distillation and real-data distillation that a
// method closes (±Inf or NaN when realAcc = oodAcc).
func GapRecovery(realAcc, oodAcc, methodAcc float64) float64 {
	return (methodAcc - oodAcc) / (realAcc - oodAcc)
}
