#pragma once
// The clone-censor-weight analysis. Clones are followed in intervals on a grid that restarts at the
// end of the initiation grace; they carry inverse-probability-of-censoring weights from pooled
// logistic models fitted per arm and per phase of censoring, because the three phases censor for
// different reasons that depend on the confounders differently:
//   grace       intervals before the grace ends: the other strategy (or both) initiated first, and
//               per-protocol leaving the strategy after initiating it (time (cubic) and confounders)
//   grace end   one row per clone followed beyond the grace uncensored until its end: censored when
//               it had not initiated its strategy (confounders only; a single time point)
//   after grace intervals after it, per-protocol: switch or discontinuation (time and confounders)
// An interval's weight is the product of (1 - p_numerator) / (1 - p_denominator) over the clone's
// earlier model rows; the numerator models hold time alone (stabilised) or are 0 (unstabilised).
#include <cstdint>
#include <vector>

#include "trial/outcomes.h"

namespace kohort::trial {

struct CloneRows {
  SurvivalRows rows;                     // cluster: the person of each row (both clones share it)
  std::vector<double> grace_end_weight;  // per sample clone: weight beyond the grace; NaN unless followed beyond it
  std::vector<double> last_weight;       // per sample clone: weight of its last interval; NaN without follow-up
};

// `sample`: clone rows of the cohort; `person`: the cluster of each (the person, or its bootstrap
// draw). Without `censoring_weights` every interval has weight 1 (the naive cloned analysis).
CloneRows clone_rows(const TrialCohort& clones, const std::vector<std::uint32_t>& sample, const std::vector<int>& person,
                     const Protocol& protocol, bool censoring_weights, bool report);

// The analysis of a cloned cohort: crude (cloned, unweighted), weighted and outcome-regression hazard
// ratios with robust CIs clustered on persons, weighted Kaplan-Meier risks, balance among the clones
// followed beyond the grace, and a bootstrap that draws persons (both clones together).
TrialResults analyse_clones(const TrialCohort& clones, const Protocol& protocol);

}  // namespace kohort::trial
