#include <gtest/gtest.h>

#include <cmath>

#include "stats/logistic.h"

using namespace kohort::stats;

// With one binary covariate the MLE is closed-form: the log odds ratio of the 2x2 table, with
// SE sqrt(1/a + 1/b + 1/c + 1/d) (Woolf), and the intercept the log odds in the x = 0 group.
TEST(Logistic, TwoByTwoTableClosedForm) {
  const int a = 30, b = 70, c = 55, d = 45;  // x=1: 30 events, 70 non-events; x=0: 55 / 45
  std::vector<double> x, y;
  auto add = [&](double xv, double yv, int count) {
    for (int i = 0; i < count; ++i) { x.push_back(xv); y.push_back(yv); }
  };
  add(1, 1, a); add(1, 0, b); add(0, 1, c); add(0, 0, d);
  const LogisticFit fit = fit_logistic(x, y.size(), 1, y, {});
  ASSERT_TRUE(fit.converged);
  EXPECT_NEAR(fit.beta[0], std::log(55.0 / 45.0), 1e-9);
  EXPECT_NEAR(fit.beta[1], std::log((30.0 * 45.0) / (70.0 * 55.0)), 1e-9);
  // The SE is glm's (from the weights of the last IRLS step, not exactly at the MLE): close, not equal.
  EXPECT_NEAR(std::sqrt(fit.var[3]), std::sqrt(1.0 / a + 1.0 / b + 1.0 / c + 1.0 / d), 1e-6);
  const auto prob = logistic_predict(fit, {1.0, 0.0}, 2, 1);
  EXPECT_NEAR(prob[0], 0.3, 1e-9);
  EXPECT_NEAR(prob[1], 0.55, 1e-9);
}

TEST(Logistic, CaseWeightsEqualReplication) {
  const std::vector<double> x{0.5, -1.0, 2.0, 0.1, -0.3, 1.2};
  const std::vector<double> y{1, 0, 1, 0, 1, 0};
  const std::vector<double> w{2, 1, 3, 1, 1, 2};
  std::vector<double> xr, yr;
  for (std::size_t i = 0; i < x.size(); ++i)
    for (int k = 0; k < w[i]; ++k) { xr.push_back(x[i]); yr.push_back(y[i]); }
  const LogisticFit weighted = fit_logistic(x, x.size(), 1, y, w);
  const LogisticFit replicated = fit_logistic(xr, xr.size(), 1, yr, {});
  for (int j = 0; j < 2; ++j) EXPECT_NEAR(weighted.beta[j], replicated.beta[j], 1e-8);
  EXPECT_NEAR(weighted.deviance, replicated.deviance, 1e-8);
}
