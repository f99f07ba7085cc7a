// Clone histories from hand-built dispensing histories, and the clone interval rows and weights.
#include <gtest/gtest.h>

#include <cmath>

#include "trial/clone_analysis.h"
#include "trial/clones.h"

using namespace kohort::trial;

namespace {

constexpr int kGrace = 30;

Dispensing a(double day, double supply = 30) { return {day, 1, supply}; }
Dispensing b(double day, double supply = 30) { return {day, 2, supply}; }

std::array<CloneHistory, 2> follow(const std::vector<Dispensing>& d, bool per_protocol, double follow_up = 1000,
                                   int grace = kGrace) {
  return follow_clones(d, grace, Adherence{}, per_protocol, follow_up);
}

void expect_clone(const CloneHistory& c, double initiation, double censored, Deviation reason) {
  EXPECT_EQ(c.initiation, initiation);
  EXPECT_EQ(c.censored, censored);
  EXPECT_EQ(c.reason, reason) << deviation_name(c.reason) << " instead of " << deviation_name(reason);
}

}  // namespace

TEST(CloneHistory, InitiatingOneStrategyCensorsTheOtherClone) {
  // A on day 10 (and refills), B on day 100.
  std::vector<Dispensing> d{a(10), a(40), a(70), b(100)};
  auto itt = follow(d, false);
  expect_clone(itt[1], 10, kNever, Deviation::kNone);                   // followed on whatever is taken
  expect_clone(itt[0], kNever, 10, Deviation::kOtherStrategyFirst);
  auto pp = follow(d, true);
  expect_clone(pp[1], 10, 100, Deviation::kSwitch);                     // per-protocol: the switch censors
  expect_clone(pp[0], kNever, 10, Deviation::kOtherStrategyFirst);
}

TEST(CloneHistory, NoInitiationWithinTheGraceCensorsBothAtItsEnd) {
  for (const auto& d : {std::vector<Dispensing>{}, std::vector<Dispensing>{a(31)}, std::vector<Dispensing>{b(200)}}) {
    auto c = follow(d, true);
    expect_clone(c[1], kNever, kGrace, Deviation::kNoInitiation);
    expect_clone(c[0], kNever, kGrace, Deviation::kNoInitiation);
  }
  // The last day of the grace still counts.
  auto c = follow({b(kGrace, 400)}, true, 300);
  expect_clone(c[0], kGrace, kNever, Deviation::kNone);
  expect_clone(c[1], kNever, kGrace, Deviation::kOtherStrategyFirst);
}

TEST(CloneHistory, BothStrategiesOnOneDayCensorBothClones) {
  auto c = follow({a(5), b(5), a(35)}, false);
  expect_clone(c[1], kNever, 5, Deviation::kBothSameDay);
  expect_clone(c[0], kNever, 5, Deviation::kBothSameDay);
}

TEST(CloneHistory, OutcomeDuringTheGraceCountsForBothClones) {
  // Follow-up ends (outcome) on day 20, before the grace ends and before any initiation: neither
  // clone is censored, so the outcome is an event in both arms.
  auto c = follow({a(25)}, true, 20);
  expect_clone(c[1], kNever, kNever, Deviation::kNone);
  expect_clone(c[0], kNever, kNever, Deviation::kNone);
  // An outcome on the day the other strategy is initiated still counts for the censored clone.
  c = follow({b(15)}, true, 15);
  expect_clone(c[1], kNever, kNever, Deviation::kNone);
  expect_clone(c[0], 15, kNever, Deviation::kNone);
}

TEST(CloneHistory, PerProtocolDiscontinuationAfterInitiation) {
  // A on day 2 lasting 30 days, nothing after: supply out on day 32, censored 60 days later (day 92).
  auto c = follow({a(2)}, true);
  expect_clone(c[1], 2, 92, Deviation::kDiscontinuation);
  expect_clone(c[0], kNever, 2, Deviation::kOtherStrategyFirst);
  // Intention-to-treat analogue: after initiation nothing censors.
  expect_clone(follow({a(2)}, false)[1], 2, kNever, Deviation::kNone);
  // Discontinuation beyond the end of follow-up is no censoring.
  expect_clone(follow({a(2)}, true, 80)[1], 2, kNever, Deviation::kNone);
}

TEST(CloneHistory, GraceZeroMeansInitiationOnDayZero) {
  auto c = follow({a(0, 400)}, true, 300, 0);
  expect_clone(c[1], 0, kNever, Deviation::kNone);
  expect_clone(c[0], kNever, 0, Deviation::kOtherStrategyFirst);
  c = follow({a(1, 400)}, true, 300, 0);
  expect_clone(c[1], kNever, 0, Deviation::kNoInitiation);
}

TEST(CloneHistory, LeavingAStrategyCarriesSupplyOver) {
  // Two early refills stack their supply: 0 + 30 + 30 + 30 = 90 days, then 60 days of grace.
  Departure d = leave_strategy({a(0), a(5), a(10)}, 0, Adherence{});
  EXPECT_EQ(d.day, 150);
  EXPECT_EQ(d.kind, Deviation::kDiscontinuation);
  // A refill after the grace comes too late: censored where the grace ended.
  d = leave_strategy({a(0), a(91)}, 0, Adherence{});
  EXPECT_EQ(d.day, 90);
  d = leave_strategy({a(0), a(90), b(100)}, 0, Adherence{});
  EXPECT_EQ(d.day, 100);
  EXPECT_EQ(d.kind, Deviation::kSwitch);
}

namespace {

// Clones of 20 persons with one binary confounder x. x = 1 (persons 0-9): 6 initiate the treatment on
// day 5, 2 the comparator on day 20, 2 nothing; x = 0 (persons 10-19): 2 the treatment, 4 the
// comparator, 4 nothing. Follow-up 365 days without the outcome, except person 0's on day 200.
TrialCohort hand_built_clones() {
  TrialCohort c;
  c.cloned = true;
  c.covariate_names = {"x"};
  c.covariate_binary = {true};
  Protocol protocol;
  for (int p = 0; p < 20; ++p) {
    const bool x = p < 10;
    const int k = x ? p : p - 10;
    std::vector<Dispensing> d;
    if (k < (x ? 6 : 2)) d.push_back(a(5, 400));
    else if (k < (x ? 8 : 6)) d.push_back(b(20, 400));
    const double follow_up = p == 0 ? 200 : 365;
    auto clones = follow_clones(d, kGrace, protocol.adherence, false, follow_up);
    for (std::uint8_t arm : {1, 0}) {
      c.person.push_back(static_cast<std::uint32_t>(p));
      c.arm.push_back(arm);
      c.time_zero.push_back(0);
      c.covariates.push_back(x);
      c.time.push_back(follow_up);
      c.event.push_back(p == 0);
      c.deviation.push_back(clones[arm].censored);
      c.deviation_kind.push_back(clones[arm].reason);
      c.initiation.push_back(clones[arm].initiation);
    }
  }
  return c;
}

Protocol clone_protocol() {
  Protocol protocol;
  protocol.enrolment.time_zero = TimeZero::kEligibility;
  protocol.enrolment.initiation_grace_days = kGrace;
  return protocol;
}

}  // namespace

TEST(CloneRows, IntervalsRestartAtTheGraceEnd) {
  TrialCohort c = hand_built_clones();
  Protocol protocol = clone_protocol();
  protocol.adherence.weight_interval_days = 100;
  std::vector<std::uint32_t> sample{2, 3};  // person 1 (x = 1, initiates the treatment): both clones
  CloneRows rows = clone_rows(c, sample, {0, 0}, protocol, false, false);
  // Treatment clone: (0, 30] in the grace, then (30, 130], (130, 230], (230, 330], (330, 365].
  // Comparator clone: censored on day 5 ("other strategy first"): (0, 5].
  ASSERT_EQ(rows.rows.stop, (std::vector<double>{30, 130, 230, 330, 365, 5}));
  EXPECT_EQ(rows.rows.start, (std::vector<double>{0, 30, 130, 230, 330, 0}));
  EXPECT_EQ(rows.rows.arm, (std::vector<std::uint8_t>{1, 1, 1, 1, 1, 0}));
  EXPECT_EQ(rows.rows.event, (std::vector<double>{0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(rows.grace_end_weight[0], 1);
  EXPECT_TRUE(std::isnan(rows.grace_end_weight[1]));
  // Person 0's event on day 200 ends the treatment clone's follow-up in its third interval.
  rows = clone_rows(c, {0}, {0}, protocol, false, false);
  EXPECT_EQ(rows.rows.stop, (std::vector<double>{30, 130, 200}));
  EXPECT_EQ(rows.rows.event, (std::vector<double>{0, 0, 1}));
}

// The censoring models are saturated here (one binary confounder, one interval in the grace), so
// the weight beyond the grace is exactly 1 / P(initiating the clone's strategy within the grace | x),
// times P(initiating it) when stabilised.
TEST(CloneRows, WeightsAreInverseProbabilitiesOfInitiatingWithinTheGrace) {
  TrialCohort c = hand_built_clones();
  Protocol protocol = clone_protocol();
  std::vector<std::uint32_t> all(c.size());
  std::vector<int> person(c.size());
  for (std::size_t i = 0; i < c.size(); ++i) {
    all[i] = static_cast<std::uint32_t>(i);
    person[i] = static_cast<int>(i / 2);
  }
  struct Expected {
    std::size_t row;
    double p_given_x, p;  // P(initiating the clone's strategy within the grace | x), and overall
  };
  const Expected expected[] = {{0, 6 / 10.0, 8 / 20.0},    // person 0, x = 1, treatment clone
                               {20, 2 / 10.0, 8 / 20.0},   // person 10, x = 0, treatment clone
                               {13, 2 / 10.0, 6 / 20.0},   // person 6, x = 1, comparator clone
                               {25, 4 / 10.0, 6 / 20.0}};  // person 12, x = 0, comparator clone
  for (bool stabilised : {false, true}) {
    protocol.analysis.stabilised_censoring_weights = stabilised;
    CloneRows rows = clone_rows(c, all, person, protocol, true, false);
    for (const Expected& e : expected)
      EXPECT_NEAR(rows.grace_end_weight[e.row], (stabilised ? e.p : 1) / e.p_given_x, 1e-7)
          << "row " << e.row << (stabilised ? " stabilised" : "");
    EXPECT_TRUE(std::isnan(rows.grace_end_weight[1]));   // person 0's comparator clone: censored on day 5
    EXPECT_TRUE(std::isnan(rows.grace_end_weight[16]));  // person 8's treatment clone: no initiation
    for (std::size_t j = 0; j < rows.rows.stop.size(); ++j)
      if (rows.rows.stop[j] <= kGrace) {
        EXPECT_DOUBLE_EQ(rows.rows.weight[j], 1) << "row " << j;  // no model rows before
      }
  }
}
