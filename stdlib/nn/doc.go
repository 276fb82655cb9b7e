// Package nn holds tiny fully connected networks (MLPs) with hand-written
// backpropagation, the Adam and SGD optimisers, the losses MosaicKD needs
// (cross-entropy, soft-target cross-entropy, temperature KL distillation with
// gradients for both the teacher and the student side, prediction entropy,
// negative entropy of the batch-mean prediction, binary cross-entropy on
// logits) and a central-difference gradient checker.
//
// Batches are *mat.Dense (gonum), one example per row. Weights are stored
// in×out, so a layer computes y = x·W + b. Hidden layers share one
// activation; the last layer is linear (its outputs are logits).
//
// Loss functions return the batch-mean (or explicitly normalised) scalar and
// the gradient with respect to their logit inputs, already divided by the
// normaliser, so it can be fed straight into MLP.Backward.
//
// Buffers: Forward and Backward reuse per-network buffers (no allocation in
// steady state). The matrix Forward returns and the matrix Backward returns
// belong to the network and are overwritten by its next Forward/Backward;
// copy them if you need to keep them. Predict allocates and never touches
// the caches. One MLP must not be used by two goroutines at once; use Clone.
//
// Adapted from the build spec (§1.7 of mosaickd-dtree.md): bad parameters and
// mismatched shapes return errors that name the parameter and the valid
// range instead of panicking, so NewMLP, Forward, Predict, Backward,
// Optimizer.Step, the losses and GradCheck all have an error result.
package nn
