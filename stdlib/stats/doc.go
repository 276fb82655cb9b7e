// Package stats holds the small statistics the estimator notebooks need:
// summaries of Monte-Carlo samples (mean, standard error, 95% confidence
// interval, median, quantiles), least-squares and log-log slope fits with
// confidence intervals, Kolmogorov–Smirnov tests (one sample against a CDF,
// two samples), chi-square tests, and a seeded bootstrap.
//
// Every function that can be handed bad input (empty samples, mismatched
// lengths, non-positive values for a log fit, ...) returns an error naming the
// offending parameter; nothing panics on bad parameters.
package stats
