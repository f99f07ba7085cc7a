#pragma once
// Confounding adjustment at time zero: propensity scores by logistic regression, stabilised
// inverse-probability-of-treatment weights with trimming and truncation, or greedy 1:k nearest-
// neighbour matching within a caliper on the logit propensity score; standardised mean differences.
#include <cstdint>
#include <string>
#include <vector>

#include "trial/cohort.h"

namespace kohort::trial {

// Weights for the persons of a sample (`rows` are cohort rows, repeated in a bootstrap sample).
struct BaselineWeights {
  std::vector<double> propensity;  // P(treatment | confounders), per sample row
  std::vector<double> weight;      // 0 for persons left out by matching
  std::vector<int> matched_set;    // matching: the set each person belongs to, -1 unmatched; else empty
  bool converged = true;           // the propensity model converged
  std::vector<std::string> dropped;  // confounders without variation in the sample (left out of the model)
};

// `report` logs warnings (non-convergence, dropped confounders); bootstrap replicates pass false.
BaselineWeights baseline_weights(const TrialCohort& cohort, const std::vector<std::uint32_t>& rows,
                                 const Analysis& analysis, bool report);

// Clamps weights to their [lower, upper] quantiles (no change for 0 and 1). Zero weights are left out.
void truncate_weights(std::vector<double>& weight, double lower, double upper);

// Fitted probabilities of a logistic model (stats::fit_logistic, as R's glm) with an intercept and the
// given columns (centred, constant ones left out); all zero when no row has the outcome. For the
// pooled logistic censoring models; `what` names the model in a warning when it does not converge.
std::vector<double> fitted_logistic(const std::vector<std::vector<double>>& columns, const std::vector<double>& y,
                                    bool report, const char* what);

// Quantile of sorted values (R's type 7, linear interpolation).
double quantile_sorted(const std::vector<double>& sorted, double probability);

struct BalanceRow {
  std::string covariate;
  bool binary = false;
  double mean_before[2] = {0, 0}, mean_after[2] = {0, 0};  // [comparator, treatment]
  double smd_before = 0, smd_after = 0;
  std::uint64_t count[2] = {0, 0};                         // binary: persons with the value 1 (unweighted)
};

// Means per arm and standardised mean differences, unweighted (before) and weighted (after); the
// denominator is the pooled standard deviation before adjustment in both, so the two compare.
std::vector<BalanceRow> balance_table(const TrialCohort& cohort, const std::vector<std::uint32_t>& rows,
                                      const std::vector<double>& weight);

}  // namespace kohort::trial
