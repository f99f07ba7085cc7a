#pragma once
// The trial's outcome analysis: follow-up as survival rows for the estimand (one row per person for
// intention-to-treat; intervals carrying inverse-probability-of-censoring weights for per-protocol),
// weighted Kaplan-Meier risks per arm, hazard ratios from Cox models, and bootstrap intervals.
#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

#include "trial/cohort.h"
#include "trial/weights.h"

namespace kohort::trial {

// Follow-up in (start, stop] rows, in days since time zero.
struct SurvivalRows {
  std::vector<double> start, stop, event, weight;
  std::vector<int> cluster;        // the sample row (person) a row belongs to
  std::vector<std::uint8_t> arm;
};

// One row per person with weight > 0: follow-up to the outcome or censoring, whatever the person took.
SurvivalRows intention_to_treat_rows(const TrialCohort& cohort, const std::vector<std::uint32_t>& rows,
                                     const std::vector<double>& weight);

// Follow-up censored when a person leaves the assigned strategy, split into intervals; each interval
// carries the baseline weight times the stabilised inverse probability of remaining uncensored until
// then (pooled logistic models per arm: time alone in the numerator, time and confounders in the
// denominator), truncated as the baseline weights are. Without `censoring_weights` the intervals
// keep the baseline weight alone (the naive per-protocol analysis).
SurvivalRows per_protocol_rows(const TrialCohort& cohort, const std::vector<std::uint32_t>& rows,
                               const std::vector<double>& weight, const Protocol& protocol, bool censoring_weights,
                               bool report);

// Weighted product-limit survival of one arm at its distinct event times.
struct SurvivalCurve {
  std::vector<double> time, survival;
  double at(double t) const;  // S(t), 1 before the first event
};
SurvivalCurve product_limit(const SurvivalRows& rows, std::uint8_t arm);

inline constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

struct Estimate {
  double value = kMissing, lower = kMissing, upper = kMissing;
};

// Hazard ratio of treatment vs comparator from a (weighted) Cox model, Efron ties; with `covariates`
// the sample's confounders enter the model too. CI from the robust (sandwich) variance clustered on
// persons when `robust`, else the model-based variance.
Estimate cox_hazard_ratio(const SurvivalRows& rows, bool robust, double conf_level = 0.95,
                          const TrialCohort* cohort = nullptr, const std::vector<std::uint32_t>* sample = nullptr);

struct ArmSummary {
  std::uint64_t persons = 0, events = 0;     // persons, or clones in the clone-censor-weight design
  std::uint64_t deviations[kDeviationKinds] = {};  // follow-up ended early, by Deviation
  std::uint64_t initiated = 0;               // clones: initiated their strategy within the grace
  std::uint64_t left_out = 0;  // by trimming or matching (weight 0)
  double person_years = 0;
  double weight_min = 0, weight_max = 0, effective_size = 0;
  std::uint64_t deviated(Deviation kind) const { return deviations[static_cast<int>(kind)]; }
};

struct HorizonRisk {
  int days = 0;
  Estimate risk[2];  // [comparator, treatment]
  Estimate difference, ratio;
};

struct CurvePoint {
  int days = 0;
  std::uint8_t arm = 0;
  std::uint64_t at_risk = 0, events = 0;  // unweighted persons
  double survival = 1;
};

struct TrialResults {
  ArmSummary arms[2];  // [comparator, treatment]
  Estimate crude_hr, adjusted_hr, adjusted_hr_bootstrap, outcome_model_hr;
  std::vector<HorizonRisk> horizons;
  std::vector<BalanceRow> balance;
  std::vector<CurvePoint> curve;
  int bootstrap_replicates = 0;   // replicates that gave an estimate
  BaselineWeights weights;        // of the cohort itself, per cohort row
  // Cloned cohorts, per clone: censoring weight of the first interval beyond the grace and of the
  // last interval (NaN when there is none), for the check table.
  std::vector<double> clone_weight_after_grace, clone_weight_at_end;
};

// Risks at the horizons and the (model-based) hazard ratio of one bootstrap replicate's rows.
struct Replicate {
  std::vector<double> risk0, risk1;  // empty when an arm has no rows
  double hazard_ratio = kMissing;
};
Replicate replicate_estimates(const SurvivalRows& rows, const Protocol& protocol);

// Runs `replicates` replicates in parallel (replicate(b) must draw from its own stream b) and sets
// the percentile intervals of the adjusted hazard ratio and of the risks at out.horizons.
void run_bootstrap(const std::function<Replicate(std::uint64_t)>& replicate, int replicates, TrialResults& out);

// Per-arm counts over the cohort rows with weight > 0 (follow-up ending at the deviation when
// `censor_at_deviation`), the released survival curve and the risks at the horizons from `rows`.
void describe_follow_up(const TrialCohort& cohort, const std::vector<double>& weight, bool censor_at_deviation,
                        const SurvivalRows& rows, const Protocol& protocol, TrialResults& out);

// The whole analysis of the protocol on the cohort; bootstrap replicates run in parallel with
// their own random streams, so the results do not depend on the thread count.
TrialResults analyse_trial(const TrialCohort& cohort, const Protocol& protocol);

}  // namespace kohort::trial
