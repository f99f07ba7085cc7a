#include "assoc/quantile_normalize.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace kohort::assoc {

TEST(QuantileNormalize, GivesTheNormalQuantilesOfTheRanks) {
  Eigen::VectorXd v(4);
  v << 10.0, -3.0, 250.0, 0.5;  // ranks 3, 1, 4, 2 of n = 4: quantiles of 5/8, 1/8, 7/8, 3/8
  quantile_normalize(v);
  // Phi^-1(1/8) = -1.1503493803760079, Phi^-1(3/8) = -0.31863936396437514.
  EXPECT_NEAR(v[1], -1.1503493803760079, 1e-15);
  EXPECT_NEAR(v[3], -0.31863936396437514, 1e-15);
  EXPECT_NEAR(v[0], 0.31863936396437514, 1e-15);
  EXPECT_NEAR(v[2], 1.1503493803760079, 1e-15);
}

TEST(QuantileNormalize, TiesShareTheirMeanRankAndNaNIsLeftOut) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Eigen::VectorXd v(6);
  v << 2.0, nan, 1.0, 2.0, 2.0, 7.0;  // n = 5: rank 1, ranks 2-4 tie at 3, rank 5
  quantile_normalize(v);
  EXPECT_TRUE(std::isnan(v[1]));
  EXPECT_DOUBLE_EQ(v[0], 0.0);  // mean rank 3 of 5: the median, Phi^-1(1/2)
  EXPECT_DOUBLE_EQ(v[3], 0.0);
  EXPECT_DOUBLE_EQ(v[4], 0.0);
  // Phi^-1(0.1) = -1.2815515655446004.
  EXPECT_NEAR(v[2], -1.2815515655446004, 1e-15);
  EXPECT_NEAR(v[5], 1.2815515655446004, 1e-15);
}

TEST(QuantileNormalize, IsMonotoneAndSymmetric) {
  Eigen::VectorXd v(1001);
  for (Eigen::Index i = 0; i < v.size(); ++i) v[i] = std::exp(0.01 * static_cast<double>((i * 389) % 1001));
  quantile_normalize(v);
  double sum = 0.0;
  for (Eigen::Index i = 0; i < v.size(); ++i) sum += v[i];
  EXPECT_NEAR(sum, 0.0, 1e-10);
  // The largest input (rank 1001) gets Phi^-1(1000.5 / 1001), the smallest its negative.
  Eigen::Index largest = 0, smallest = 0;
  v.maxCoeff(&largest);
  v.minCoeff(&smallest);
  EXPECT_EQ((largest * 389) % 1001, 1000);
  EXPECT_EQ((smallest * 389) % 1001, 0);
  EXPECT_NEAR(v[largest], -v[smallest], 1e-12);
}

TEST(QuantileNormalize, LeavesAllMissingAndSingleValuesDefined) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Eigen::VectorXd none(2);
  none << nan, nan;
  quantile_normalize(none);
  EXPECT_TRUE(std::isnan(none[0]) && std::isnan(none[1]));
  Eigen::VectorXd one(2);
  one << nan, 4.0;
  quantile_normalize(one);
  EXPECT_DOUBLE_EQ(one[1], 0.0);
}

}  // namespace kohort::assoc
