// Clone histories: which clone follows its strategy, and when and why the others are censored.
#include "trial/clones.h"

#include <algorithm>

namespace kohort::trial {

Departure leave_strategy(const std::vector<Dispensing>& d, std::size_t first, const Adherence& a) {
  const std::uint8_t own = d[first].strategy;
  double supply_end = d[first].day;  // day the current supply runs out
  for (std::size_t i = first; i < d.size(); ++i) {
    if (d[i].strategy != own) return {d[i].day, Deviation::kSwitch};
    if (d[i].day > supply_end + a.grace_days) break;
    supply_end = std::max(supply_end, d[i].day) + d[i].supply_days;
  }
  return {supply_end + a.grace_days, Deviation::kDiscontinuation};
}

std::array<CloneHistory, 2> follow_clones(const std::vector<Dispensing>& d, int grace, const Adherence& adherence,
                                          bool per_protocol, double follow_up) {
  std::array<CloneHistory, 2> clones;
  // The first initiation decides: a dispensing of one strategy within the grace, or of both on one day.
  const bool initiated = !d.empty() && d[0].day <= grace;
  bool both = false;
  for (std::size_t i = 1; initiated && i < d.size() && d[i].day == d[0].day; ++i) both = both || d[i].strategy != d[0].strategy;
  for (std::uint8_t arm = 0; arm < 2; ++arm) {
    CloneHistory& c = clones[arm];
    const std::uint8_t own = arm == 1 ? 1 : 2;
    if (!initiated) {
      c.censored = grace;
      c.reason = Deviation::kNoInitiation;
    } else if (both) {
      c.censored = d[0].day;
      c.reason = Deviation::kBothSameDay;
    } else if (d[0].strategy != own) {
      c.censored = d[0].day;
      c.reason = Deviation::kOtherStrategyFirst;
    } else {
      c.initiation = d[0].day;
      if (per_protocol) {
        Departure leave = leave_strategy(d, 0, adherence);
        c.censored = leave.day;
        c.reason = leave.kind;
      }
    }
    if (c.initiation > follow_up) c.initiation = kNever;  // after the outcome or the end of follow-up
    if (c.censored >= follow_up) {
      c.censored = kNever;
      c.reason = Deviation::kNone;
    }
  }
  return clones;
}

}  // namespace kohort::trial
