#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "stats/cox.h"
#include "stats/survival_input.h"

using namespace kohort::stats;

// Two subjects, one event: the partial likelihood is exp(b x1) / (exp(b x1) + exp(b x2)); with
// x = (1, 0) and the event on the first, the loglik at 0 is log(1/2), the score 1/2, information 1/4.
TEST(Cox, DerivativesAtZeroByHand) {
  CoxData d;
  d.n = 2;
  d.p = 1;
  d.stop = {1, 2};
  d.event = {1, 0};
  d.x = {1, 0};
  const CoxDerivatives der = cox_derivatives(d, {0.0}, Ties::kEfron);
  EXPECT_NEAR(der.loglik, std::log(0.5), 1e-15);
  EXPECT_NEAR(der.score[0], 0.5, 1e-15);
  EXPECT_NEAR(der.information[0], 0.25, 1e-15);
}

// Efron with two tied deaths among three subjects at 0 covariate effect:
// loglik = -log(3) - log(3 - 1) ; Breslow: -2 log(3).
TEST(Cox, EfronAndBreslowTies) {
  CoxData d;
  d.n = 3;
  d.p = 1;
  d.stop = {1, 1, 1};
  d.event = {1, 1, 0};
  d.x = {0.3, -0.2, 1.0};
  EXPECT_NEAR(cox_derivatives(d, {0.0}, Ties::kEfron).loglik, -std::log(3.0) - std::log(2.0), 1e-14);
  EXPECT_NEAR(cox_derivatives(d, {0.0}, Ties::kBreslow).loglik, -2 * std::log(3.0), 1e-14);
}

// Splitting follow-up into (start, stop] pieces does not change the fit.
TEST(Cox, CountingProcessSplitEqualsWholeIntervals) {
  CoxData whole;
  whole.n = 6;
  whole.p = 1;
  whole.stop = {2, 3, 5, 6, 8, 9};
  whole.event = {1, 0, 1, 1, 0, 1};
  whole.x = {1.2, -0.4, 0.3, 0.9, -1.1, 0.0};
  CoxData split;
  split.p = 1;
  for (std::size_t i = 0; i < whole.n; ++i) {
    const double cut = 4;
    if (whole.stop[i] > cut) {
      split.start.push_back(0); split.stop.push_back(cut); split.event.push_back(0); split.x.push_back(whole.x[i]);
      split.start.push_back(cut);
    } else {
      split.start.push_back(0);
    }
    split.stop.push_back(whole.stop[i]);
    split.event.push_back(whole.event[i]);
    split.x.push_back(whole.x[i]);
  }
  split.n = split.stop.size();
  const CoxFit a = fit_cox(whole, {});
  const CoxFit b = fit_cox(split, {});
  EXPECT_NEAR(a.beta[0], b.beta[0], 1e-12);
  EXPECT_NEAR(a.loglik, b.loglik, 1e-12);
  EXPECT_NEAR(a.var[0], b.var[0], 1e-12);
}

// Near-equal times (round-off) become one time; genuinely different times stay apart.
TEST(TimeFix, MergesRoundOffTies) {
  std::vector<double> stop{0.3, 0.1 + 0.2, 0.4, 0.5 + 1e-12, 0.5};
  merge_near_tied_times(stop, nullptr);
  EXPECT_EQ(stop[0], stop[1]);
  EXPECT_EQ(stop[3], stop[4]);
  EXPECT_EQ(stop[3], 0.5);
  EXPECT_NE(stop[2], stop[0]);
  std::vector<double> start{0.0, 0.0, 0.0, 0.0, 0.5 - 1e-13};  // (0.5 - 1e-13, 0.5] shrinks to nothing
  EXPECT_THROW(merge_near_tied_times(stop, &start), kohort::InputError);
}
