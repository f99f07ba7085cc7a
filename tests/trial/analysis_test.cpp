#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "core/random.h"
#include "stats/kaplan_meier.h"
#include "trial/outcomes.h"
#include "trial/weights.h"

using namespace kohort::trial;

namespace {

// A random cohort: one continuous and one binary confounder, both raising the chance of treatment.
TrialCohort random_cohort(std::size_t n, std::uint64_t seed) {
  kohort::Random random(seed, 1);
  TrialCohort c;
  c.covariate_names = {"x", "b"};
  c.covariate_binary = {false, true};
  for (std::size_t i = 0; i < n; ++i) {
    double x = random.normal(), b = random.bernoulli(0.3);
    bool treated = random.bernoulli(1 / (1 + std::exp(-(-0.5 + 0.8 * x + 0.7 * b))));
    c.person.push_back(static_cast<std::uint32_t>(i));
    c.arm.push_back(treated);
    c.time_zero.push_back(0);
    c.covariates.push_back(x);
    c.covariates.push_back(b);
    double event_time = std::ceil(random.exponential(0.001 * std::exp(0.5 * x)));
    double censor_time = std::ceil(random.uniform() * 1500) + 1;
    c.time.push_back(std::min(event_time, censor_time));
    c.event.push_back(event_time <= censor_time);
    c.deviation.push_back(INFINITY);
    c.deviation_kind.push_back(Deviation::kNone);
  }
  return c;
}

std::vector<std::uint32_t> all_rows(std::size_t n) {
  std::vector<std::uint32_t> rows(n);
  for (std::size_t i = 0; i < n; ++i) rows[i] = static_cast<std::uint32_t>(i);
  return rows;
}

}  // namespace

TEST(TrialWeights, QuantilesAreRType7) {
  std::vector<double> v{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  EXPECT_DOUBLE_EQ(quantile_sorted(v, 0.1), 1.9);  // R: quantile(1:10, 0.1) = 1.9
  EXPECT_DOUBLE_EQ(quantile_sorted(v, 0.99), 9.91);
  EXPECT_DOUBLE_EQ(quantile_sorted(v, 0), 1);
  std::vector<double> w{5, 0, 1, 2, 3, 4, 6, 7, 8, 9, 10};  // the zero is left out
  truncate_weights(w, 0.1, 0.9);
  EXPECT_DOUBLE_EQ(w[0], 5);
  EXPECT_DOUBLE_EQ(w[1], 0);
  EXPECT_DOUBLE_EQ(w[2], 1.9);
  EXPECT_DOUBLE_EQ(w[10], 9.1);
}

TEST(TrialWeights, StabilisedWeightsBalanceTheConfounders) {
  TrialCohort c = random_cohort(20000, 3);
  auto rows = all_rows(c.size());
  Analysis analysis;
  BaselineWeights w = baseline_weights(c, rows, analysis, false);
  ASSERT_TRUE(w.converged);
  // Stabilised weights average 1 within each arm in expectation.
  double sum[2] = {0, 0}, n[2] = {0, 0};
  for (std::size_t i = 0; i < c.size(); ++i) {
    sum[c.arm[i]] += w.weight[i];
    n[c.arm[i]] += 1;
  }
  EXPECT_NEAR(sum[0] / n[0], 1, 0.03);
  EXPECT_NEAR(sum[1] / n[1], 1, 0.05);
  auto balance = balance_table(c, rows, w.weight);
  ASSERT_EQ(balance.size(), 2u);
  for (const auto& b : balance) {
    EXPECT_GT(std::fabs(b.smd_before), 0.15) << b.covariate;
    EXPECT_LT(std::fabs(b.smd_after), 0.03) << b.covariate;
  }
}

TEST(TrialWeights, MatchingRespectsCaliperAndUsesEachComparatorOnce) {
  TrialCohort c = random_cohort(3000, 5);
  auto rows = all_rows(c.size());
  Analysis analysis;
  analysis.adjustment = Adjustment::kMatching;
  analysis.match_ratio = 2;
  analysis.caliper = 0.05;
  BaselineWeights w = baseline_weights(c, rows, analysis, false);
  std::vector<double> logit(c.size());
  double mean = 0;
  for (std::size_t i = 0; i < c.size(); ++i) mean += logit[i] = std::log(w.propensity[i] / (1 - w.propensity[i]));
  mean /= static_cast<double>(c.size());
  double var = 0;
  for (double l : logit) var += (l - mean) * (l - mean);
  double width = 0.05 * std::sqrt(var / static_cast<double>(c.size() - 1));
  std::vector<int> treated_of_set(c.size(), -1), comparators(c.size(), 0);
  for (std::size_t i = 0; i < c.size(); ++i)
    if (w.matched_set[i] >= 0 && c.arm[i]) treated_of_set[static_cast<std::size_t>(w.matched_set[i])] = static_cast<int>(i);
  std::size_t matched_treated = 0, matched_comparators = 0;
  double comparator_weight = 0;
  for (std::size_t i = 0; i < c.size(); ++i) {
    if (w.matched_set[i] < 0) {
      EXPECT_EQ(w.weight[i], 0);
      continue;
    }
    if (c.arm[i]) {
      ++matched_treated;
      EXPECT_EQ(w.weight[i], 1);
      continue;
    }
    ++matched_comparators;
    comparator_weight += w.weight[i];
    int t = treated_of_set[static_cast<std::size_t>(w.matched_set[i])];
    ASSERT_GE(t, 0);
    EXPECT_LE(std::fabs(logit[i] - logit[static_cast<std::size_t>(t)]), width);
    ++comparators[static_cast<std::size_t>(w.matched_set[i])];
  }
  EXPECT_GT(matched_treated, 500u);
  EXPECT_LE(*std::max_element(comparators.begin(), comparators.end()), 2);
  EXPECT_NEAR(comparator_weight, static_cast<double>(matched_comparators), 1e-9);
}

// Without weights and start times the product-limit curve is Kaplan-Meier's (stats::kaplan_meier
// matches R's survfit); with case weights, the weighted Kaplan-Meier.
TEST(TrialOutcomes, ProductLimitEqualsKaplanMeier) {
  TrialCohort c = random_cohort(2000, 7);
  auto rows = all_rows(c.size());
  kohort::Random random(9, 2);
  std::vector<double> weight(c.size());
  for (auto& w : weight) w = 0.2 + random.uniform() * 3;
  for (bool weighted : {false, true}) {
    std::vector<double> wt = weighted ? weight : std::vector<double>(c.size(), 1.0);
    SurvivalRows s = intention_to_treat_rows(c, rows, wt);
    for (std::uint8_t arm = 0; arm < 2; ++arm) {
      SurvivalCurve curve = product_limit(s, arm);
      std::vector<double> time, event, w;
      for (std::size_t i = 0; i < c.size(); ++i)
        if (c.arm[i] == arm) {
          time.push_back(c.time[i]);
          event.push_back(c.event[i]);
          w.push_back(wt[i]);
        }
      auto km = kohort::stats::kaplan_meier(time, event, w, kohort::stats::ConfType::kLog, 0.95);
      ASSERT_GT(curve.time.size(), 50u);
      for (std::size_t j = 0; j < km.time.size(); ++j)
        EXPECT_NEAR(curve.at(km.time[j]), km.surv[j], 1e-12) << "time " << km.time[j] << (weighted ? " weighted" : "");
    }
  }
}

// Splitting follow-up into intervals (as the per-protocol analysis does) leaves the curve and the
// hazard ratio unchanged when the weights do not change over time.
TEST(TrialOutcomes, SplitFollowUpGivesTheSameEstimates) {
  TrialCohort c = random_cohort(2000, 11);
  auto rows = all_rows(c.size());
  std::vector<double> ones(c.size(), 1.0);
  SurvivalRows whole = intention_to_treat_rows(c, rows, ones);
  Protocol protocol;
  protocol.estimand = Estimand::kPerProtocol;
  protocol.adherence.weight_interval_days = 90;
  SurvivalRows split = per_protocol_rows(c, rows, ones, protocol, false, false);
  EXPECT_GT(split.stop.size(), 5 * whole.stop.size());
  for (std::uint8_t arm = 0; arm < 2; ++arm) {
    SurvivalCurve a = product_limit(whole, arm), b = product_limit(split, arm);
    ASSERT_EQ(a.time, b.time);
    for (std::size_t j = 0; j < a.time.size(); ++j) EXPECT_NEAR(a.survival[j], b.survival[j], 1e-13);
  }
  Estimate x = cox_hazard_ratio(whole, false), y = cox_hazard_ratio(split, false);
  EXPECT_NEAR(x.value, y.value, 1e-9);
  EXPECT_NEAR(x.lower, y.lower, 1e-9);
}

TEST(TrialOutcomes, AnalysisRecoversNoEffectAndIsDeterministic) {
  // Treatment has no effect on the outcome here; confounding by x makes the crude ratio > 1.
  TrialCohort c = random_cohort(20000, 13);
  Protocol protocol;
  protocol.analysis.bootstrap = 30;
  protocol.outcome.follow_up_days = 1500;
  TrialResults a = analyse_trial(c, protocol);
  TrialResults b = analyse_trial(c, protocol);
  EXPECT_GT(a.crude_hr.lower, 1.05);
  EXPECT_LT(a.adjusted_hr.lower, 1.0);
  EXPECT_GT(a.adjusted_hr.upper, 1.0);
  EXPECT_EQ(a.bootstrap_replicates, 30);
  EXPECT_LT(a.adjusted_hr_bootstrap.lower, a.adjusted_hr.value);
  EXPECT_GT(a.adjusted_hr_bootstrap.upper, a.adjusted_hr.value);
  ASSERT_EQ(a.horizons.size(), b.horizons.size());
  for (std::size_t h = 0; h < a.horizons.size(); ++h) {
    EXPECT_EQ(a.horizons[h].difference.lower, b.horizons[h].difference.lower);
    EXPECT_EQ(a.horizons[h].difference.upper, b.horizons[h].difference.upper);
  }
}
