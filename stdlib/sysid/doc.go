// Package sysid reproduces "CLT-Optimal Parameter Error Bounds for Linear
// System Identification" (Zhou & Tu, arXiv:2604.21270): ordinary least squares
// (OLS) identification of a linear dynamical system x_{t+1} = A x_t + w_t,
// w_t ~ N(0, Σ_w), and the predictions it is compared with.
//
// What it holds:
//   - LDS: the system, its stationary covariance Γ_∞ (discrete Lyapunov
//     equation), the average Gramian Γ̄_τ, simulation of one trajectory or
//     many, from zero, a given state, or the stationary law.
//   - OLS: Â = (Σ x_{t+1} x_tᵀ)(Σ x_t x_tᵀ)^{-1}, pooled over trajectories,
//     and Decompose: Â − A = M_T Γ_∞^{-1} + R_T (martingale + remainder).
//   - Predictions (squared errors, "rate forms"): CLTFro = tr Σ_w tr Γ^{-1}/N,
//     CLTOpMC = E‖Σ_w^{1/2} Z Γ^{-1/2}‖²_op/N by Monte Carlo with its exact
//     bounds CLTOpBounds, the older self-normalized bounds PriorOpRate and
//     PriorFroRate ∝ n/(N λ_min(Γ)), and the exact inverse-Wishart value for
//     one-step trajectories WishartExactFro.
//   - Instances Iso, FrobGap, SpecGap whose effective ranks make the prior
//     bounds loose by a factor of order n (or not, for Iso).
//   - Monte-Carlo drivers MonteCarlo, MonteCarloMany and StandardizedEntries:
//     compiled, parallel over trials (stdlib/experiment), one PCG stream per
//     trial, results independent of GOMAXPROCS, cancelled through ctx.
//
// Formulas are the ones of the project's build spec (papers/sysid-muon.md,
// §1); where the paper's own statements were not available they are derived
// there and checked by this package's tests.
package sysid
