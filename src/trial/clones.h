#pragma once
// Clone histories of the clone-censor-weight design. With time zero at eligibility the strategies are
// "initiate the treatment within the grace" and "initiate the comparator within the grace"; every
// eligible person starts in both (one clone each), so that the time between eligibility and
// initiation is no one's immortal time. A clone is censored when the person's history departs from
// its strategy: the other strategy initiated first, both initiated on the same day, or the grace
// over without initiation; per-protocol, also on leaving the strategy after initiating it.
#include <array>
#include <cstdint>
#include <limits>
#include <vector>

#include "trial/cohort.h"
#include "trial/protocol.h"

namespace kohort::trial {

inline constexpr double kNever = std::numeric_limits<double>::infinity();

// A dispensing of either strategy, in days since time zero (or since any origin: only differences
// and the order matter), sorted by day.
struct Dispensing {
  double day = 0;
  std::uint8_t strategy = 0;  // 1 treatment, 2 comparator
  double supply_days = 0;     // how long it lasts
};

// Leaving the strategy dispensed at dispensings[first]: the first later dispensing of the other
// strategy (switch), or the day the supply, carried over between dispensings, ran out plus
// `grace_days` (discontinuation). The day may lie beyond the person's follow-up.
struct Departure {
  double day = kNever;
  Deviation kind = Deviation::kNone;
};
Departure leave_strategy(const std::vector<Dispensing>& dispensings, std::size_t first, const Adherence& adherence);

struct CloneHistory {
  double initiation = kNever;  // day the clone's strategy was initiated within the grace
  double censored = kNever;    // day of artificial censoring, when it falls before the end of follow-up
  Deviation reason = Deviation::kNone;
};

// The two clones of one person, [0] the comparator clone and [1] the treatment clone. `follow_up` is
// the person's days to the outcome or the end of follow-up: censoring on or after it is no
// censoring (an outcome on the day of a deviation counts, as in the per-protocol analysis).
std::array<CloneHistory, 2> follow_clones(const std::vector<Dispensing>& dispensings, int initiation_grace_days,
                                          const Adherence& adherence, bool per_protocol, double follow_up);

}  // namespace kohort::trial
