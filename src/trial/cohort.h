#pragma once
// The trial cohort: new users of either strategy who meet the protocol's eligibility criteria,
// with time zero, follow-up, outcome, adherence and confounders at time zero, and the cohort flow
// (how many persons each criterion removed, in the protocol's order).
#include <cstdint>
#include <string>
#include <vector>

#include "endpoint/evaluate.h"
#include "registry/event_store.h"
#include "trial/protocol.h"

namespace kohort::trial {

struct FlowStep {
  std::string criterion;
  std::uint64_t excluded = 0;
  std::uint64_t remaining = 0;
};

// Why follow-up under a strategy ended early. The last three arise only in the clone-censor-weight
// design, during the initiation grace.
enum class Deviation : std::uint8_t {
  kNone = 0,
  kSwitch = 1,              // dispensing of the other strategy after initiation
  kDiscontinuation = 2,     // supply ran out for longer than the adherence grace
  kOtherStrategyFirst = 3,  // the other strategy initiated first
  kNoInitiation = 4,        // the initiation grace ended without initiation
  kBothSameDay = 5,         // both strategies initiated on the same day
};
inline constexpr int kDeviationKinds = 6;
const char* deviation_name(Deviation kind);  // none, switch, discontinuation, other_strategy_first, ...


// One row per person; in the clone-censor-weight design (`cloned`) one row per clone instead, rows
// 2p and 2p+1 the treatment and comparator clones of person p.
struct TrialCohort {
  bool cloned = false;
  std::vector<std::string> covariate_names;  // columns of `covariates`
  std::vector<bool> covariate_binary;
  std::vector<std::uint32_t> person;         // index into the event store's persons
  std::vector<std::uint8_t> arm;             // 1 treatment, 0 comparator
  std::vector<Date> time_zero;
  std::vector<double> covariates;            // row-major: size() x covariate_names.size()
  std::vector<double> time;                  // days from time zero to the outcome or censoring
  std::vector<std::uint8_t> event;           // the outcome ended follow-up
  std::vector<double> deviation;             // days from time zero to leaving the assigned strategy
  std::vector<Deviation> deviation_kind;     // kNone (deviation = +inf) when adherent throughout follow-up
  std::vector<double> initiation;            // cloned: days to initiating the row's strategy (+inf: not within the grace)
  std::vector<FlowStep> flow;

  std::size_t size() const { return arm.size(); }
  double covariate(std::size_t row, std::size_t column) const { return covariates[row * covariate_names.size() + column]; }
};

// Index of each named endpoint among the evaluator's definitions; InputError naming the protocol
// file and `what` (e.g. "[outcome] endpoint") for a name that is not defined.
std::vector<std::uint32_t> resolve_endpoints(const endpoint::EndpointEvaluator& evaluator,
                                             const std::vector<std::string>& names, const std::string& origin,
                                             const std::string& what);

// One pass over every person's events (in parallel; the result does not depend on the thread count).
// InputError when an arm ends up empty.
TrialCohort build_cohort(const registry::EventStore& store, const endpoint::EndpointEvaluator& evaluator,
                         const Protocol& protocol);

}  // namespace kohort::trial
