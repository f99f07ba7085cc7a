#pragma once
// A target trial protocol read from TOML (docs/trial.md): eligibility, the two treatment strategies
// as ATC sets, time zero, outcome and follow-up, censoring, confounders, estimand and analysis.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"

namespace kohort::trial {

enum class Estimand { kIntentionToTreat, kPerProtocol };
enum class Adjustment { kWeighting, kMatching, kNone };

// Time zero at the first dispensing of either strategy (the arm is known then), or at eligibility
// (the strategies are "initiate within the grace"; every person is cloned into both arms).
enum class TimeZero { kFirstDispensing, kEligibility };

// Who enters: new users whose time zero falls in the window.
struct Enrolment {
  Date start = 0, end = 0;                 // window for time zero, inclusive
  double age_min = 18, age_max = 200;      // age at time zero in years, inclusive
  char sex = 0;                            // 'M', 'F' or 0 for both
  int washout_days = 365;                  // registry history needed before time zero, free of either strategy
  std::vector<std::string> require;        // endpoints that must have occurred before time zero
  std::vector<std::string> exclude;        // endpoints that must not have occurred by time zero
  TimeZero time_zero = TimeZero::kFirstDispensing;
  std::string eligibility_endpoint;        // kEligibility: time zero = its first date, or `start` if earlier
  int initiation_grace_days = 0;           // kEligibility: a strategy is initiated within this many days
};

// A treatment strategy: initiating any drug whose ATC code starts with one of `atc`.
struct Strategy {
  std::string name;
  std::vector<std::string> atc;
};

struct Outcome {
  std::string endpoint;
  int follow_up_days = 5 * 365;  // administrative end of follow-up after time zero
};

// Adherence to the assigned strategy, for the per-protocol estimand.
struct Adherence {
  int grace_days = 60;             // allowed gap after a dispensing's supply runs out
  double ddd_per_day = 1;          // a dispensing of V DDD lasts V / ddd_per_day days
  int default_supply_days = 30;    // supply of a dispensing without a DDD value
  int weight_interval_days = 30;   // intervals for the inverse-probability-of-censoring weights
};

// Confounders measured at time zero.
struct Confounders {
  bool age = true, sex = true, calendar_year = false;
  std::vector<std::string> endpoints;  // first occurred on or before time zero
  std::vector<std::string> atc;        // dispensed within the look-back window before time zero
  int atc_lookback_days = 365;
};

struct Analysis {
  Adjustment adjustment = Adjustment::kWeighting;
  double truncate_lower = 0, truncate_upper = 1;  // weight percentiles kept (0 and 1: no truncation)
  double trim_lower = 0, trim_upper = 1;          // weighting: persons with a propensity score outside are left out
  bool stabilised_censoring_weights = true;       // IPCW numerator from time alone (else 1)
  int match_ratio = 1;                            // controls per treated person when matching
  double caliper = 0.2;                           // in SDs of the logit propensity score
  std::vector<int> horizons_days{365, 730, 1825};
  int bootstrap = 200;
  std::uint64_t seed = 1;
  int km_step_days = 30;                          // spacing of the released survival curves
  int suppress_below = 5;                         // counts 1 .. suppress_below-1 are not released
};

struct Protocol {
  std::string origin;  // file name, for messages
  std::string name;
  Estimand estimand = Estimand::kIntentionToTreat;
  Enrolment enrolment;
  Strategy treatment, comparator;
  Outcome outcome;
  Adherence adherence;
  Confounders confounders;
  Analysis analysis;

  // Clone-censor-weight design: time zero at eligibility, one clone per strategy.
  bool cloned() const { return enrolment.time_zero == TimeZero::kEligibility; }
};

// Parses and checks a protocol; InputError names the file, line and key for anything wrong.
Protocol read_protocol(const std::string& path);
Protocol parse_protocol(const std::string& text, const std::string& origin);

// True for an ATC code or a prefix of one at a level boundary: A, A10, A10B, A10BK, A10BK01.
bool is_atc_prefix(std::string_view text);

std::string_view estimand_name(Estimand estimand);
std::string_view adjustment_name(Adjustment adjustment);

}  // namespace kohort::trial
