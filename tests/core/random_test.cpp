#include "core/random.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace kohort {

TEST(Random, StreamsAreReproducibleAndDistinct) {
  Random a(42, 1, 7), b(42, 1, 7), c(42, 1, 8);
  for (int i = 0; i < 100; ++i) {
    auto x = a.next();
    EXPECT_EQ(x, b.next());
    EXPECT_NE(x, c.next());
  }
}

TEST(Random, NormalMomentsMatch) {
  Random r(1, 2, 3);
  const int n = 200000;
  double sum = 0, sum2 = 0;
  for (int i = 0; i < n; ++i) {
    double x = r.normal();
    sum += x;
    sum2 += x * x;
  }
  double mean = sum / n, var = sum2 / n - mean * mean;
  EXPECT_NEAR(mean, 0.0, 5.0 / std::sqrt(n));
  EXPECT_NEAR(var, 1.0, 0.02);
}

TEST(Random, PoissonAndGammaMeans) {
  Random r(5, 0, 0);
  const int n = 100000;
  double ps = 0, gs = 0, bs = 0;
  for (int i = 0; i < n; ++i) {
    ps += r.poisson(3.5);
    gs += r.gamma(0.7);
    bs += r.beta(2.0, 6.0);
  }
  EXPECT_NEAR(ps / n, 3.5, 5 * std::sqrt(3.5 / n));
  EXPECT_NEAR(gs / n, 0.7, 5 * std::sqrt(0.7 / n));
  EXPECT_NEAR(bs / n, 0.25, 0.003);
}

TEST(Random, NormalQuantileInvertsCdf) {
  for (double p : {1e-12, 1e-6, 0.01, 0.2, 0.5, 0.8, 0.975, 1 - 1e-9}) {
    EXPECT_NEAR(normal_cdf(normal_quantile(p)), p, 1e-14 + 1e-12 * p);
  }
  EXPECT_NEAR(normal_quantile(0.975), 1.959963984540054, 1e-12);
}

}  // namespace kohort
