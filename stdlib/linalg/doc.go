// Package linalg holds the matrix helpers the estimator packages need and gonum
// does not provide directly: the spectral (operator) norm, the squared Frobenius
// norm, effective rank, symmetric eigendecomposition and PSD square roots, the
// discrete Lyapunov solver, the spectral radius, polar factors by SVD and by the
// Newton–Schulz iteration used by the Muon optimizer, and seeded random
// Gaussian and orthogonal matrices.
//
// Note: gonum's mat.Norm(a, 2) is the Frobenius norm, not the spectral norm;
// use OpNorm for the largest singular value.
//
// Functions that can fail on their input (wrong shape, unstable matrix, non-PSD
// argument, bad size) return an error that names the parameter; none panic on
// bad parameters.
package linalg
