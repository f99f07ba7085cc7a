#pragma once
// Tail probabilities used by the survival tests.
namespace kohort::stats {

// Upper tail P(X > x) of a chi-square with `df` degrees of freedom.
double chisq_upper(double x, double df);
// Two-sided normal p-value for a z statistic.
double normal_two_sided(double z);
// Quantile of the standard normal.
double normal_quantile_p(double p);

}  // namespace kohort::stats
