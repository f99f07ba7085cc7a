#include <gtest/gtest.h>

#include <cmath>

#include "stats/kaplan_meier.h"

using namespace kohort::stats;

TEST(KaplanMeier, HandComputedSmallSample) {
  // times 1,2,2,3,4 with events 1,1,0,1,0: S(1)=4/5, S(2)=4/5*3/4=0.6, S(3)=0.6*1/2=0.3.
  const KmCurve c = kaplan_meier({3, 2, 1, 2, 4}, {1, 1, 1, 0, 0}, {}, ConfType::kLog, 0.95);
  ASSERT_EQ(c.time.size(), 4u);
  EXPECT_DOUBLE_EQ(c.surv[0], 0.8);
  EXPECT_DOUBLE_EQ(c.surv[1], 0.6);
  EXPECT_DOUBLE_EQ(c.surv[2], 0.3);
  EXPECT_DOUBLE_EQ(c.n_risk[1], 4);
  EXPECT_DOUBLE_EQ(c.n_censor[1], 1);
  // Greenwood: 1/(5*4) + 1/(4*3) + 1/(2*1)
  const double v = 1.0 / 20 + 1.0 / 12 + 0.5;
  EXPECT_NEAR(c.std_err_log[2], std::sqrt(v), 1e-15);
  EXPECT_NEAR(c.std_err[2], 0.3 * std::sqrt(v), 1e-15);
  EXPECT_NEAR(c.lower[2], 0.3 * std::exp(-1.959963984540054 * std::sqrt(v)), 1e-12);
}

TEST(KaplanMeier, WeightsEqualReplication) {
  const KmCurve a = kaplan_meier({1, 2, 3}, {1, 0, 1}, {2, 1, 3}, ConfType::kPlain, 0.9);
  const KmCurve b = kaplan_meier({1, 1, 2, 3, 3, 3}, {1, 1, 0, 1, 1, 1}, {}, ConfType::kPlain, 0.9);
  ASSERT_EQ(a.surv.size(), b.surv.size());
  for (std::size_t i = 0; i < a.surv.size(); ++i) EXPECT_DOUBLE_EQ(a.surv[i], b.surv[i]);
}

TEST(LogRank, TwoIdenticalGroupsGiveZero) {
  const LogRankTest t = log_rank({1, 2, 3, 1, 2, 3}, {1, 1, 0, 1, 1, 0}, {}, {0, 0, 0, 1, 1, 1}, 2);
  EXPECT_NEAR(t.chisq, 0, 1e-14);
  EXPECT_EQ(t.df, 1);
  EXPECT_NEAR(t.p, 1, 1e-12);
}
