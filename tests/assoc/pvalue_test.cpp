#include "assoc/pvalue.h"

#include <gtest/gtest.h>

#include <boost/math/special_functions/beta.hpp>
#include <cmath>

namespace kohort::assoc {

TEST(PValue, NormalMatchesKnownValuesAndStaysExactFarInTheTail) {
  EXPECT_NEAR(std::exp(log_p_normal(1.959963984540054)), 0.05, 1e-15);
  EXPECT_NEAR(log_p_normal(0.0), 0.0, 1e-15);
  // Where double precision still holds the value, the asymptotic branch must agree with it.
  double z = 37.0;  // p about 5.7e-300
  double reference = std::log(std::erfc(z / std::sqrt(2.0)));
  EXPECT_NEAR(log_p_normal(z), reference, 1e-10 * std::fabs(reference));
  // Far beyond: log p ~ -z^2/2 - log(z) - log(sqrt(pi/2)).
  double far = 60.0;
  EXPECT_NEAR(log_p_normal(far), -far * far / 2 - std::log(far) - 0.5 * std::log(M_PI / 2) + std::log1p(-1 / (far * far)), 1e-6);
  EXPECT_LT(log_p_normal(far) / std::log(10.0), -700);
}

TEST(PValue, StudentTMatchesBoostAndExtendsBelowUnderflow) {
  // t = 2.228138851986 with 10 df is the 97.5% quantile.
  EXPECT_NEAR(std::exp(log_p_t(2.228138851986273, 10)), 0.05, 1e-12);
  // Continuity where the series takes over from the incomplete beta.
  double df = 5000;
  for (double t : {30.0, 36.0, 36.5, 37.0, 40.0}) {
    double left = log_p_t(t * (1 - 1e-9), df), right = log_p_t(t * (1 + 1e-9), df);
    EXPECT_GT(left, right);
    EXPECT_NEAR(left, right, 1e-5 * std::fabs(left));
  }
  // Large df approaches the normal.
  EXPECT_NEAR(log_p_t(50.0, 1e9), log_p_normal(50.0), 1e-5 * std::fabs(log_p_normal(50.0)));
}

TEST(PValue, StudentTAgreesWithBoostOverAGrid) {
  for (double df : {1.0, 3.0, 10.0, 97.0, 1000.0, 20000.0, 1e6}) {
    for (double t : {0.0, 1e-6, 0.3, 0.99, 1.0, 1.01, 2.0, 2.99, 3.01, 5.0, 12.0, 30.0}) {
      // p = 1 - I_y(1/2, df/2) with y = t^2 / (df + t^2), in long double. The argument is exact:
      // I_x(df/2, 1/2) at x = df / (df + t^2), rounded near 1, is off by up to 2e-9 at df 1e6.
      const long double t2 = static_cast<long double>(t) * t;
      const long double reference = boost::math::ibetac(0.5L, static_cast<long double>(df) / 2, t2 / (df + t2));
      if (reference < 1e-300L) continue;
      // Near p = 1, log p is about -(1 - p), which needs the complement's own digits; those cases
      // are checked against R below.
      if (reference < 0.5L) {
        const double log_reference = static_cast<double>(std::log(reference));
        EXPECT_NEAR(log_p_t(t, df), log_reference, 1e-12 * std::fabs(log_reference)) << "t " << t << " df " << df;
      }
    }
  }
}

TEST(PValue, StudentTBelowThreeMatchesLongDoubleUpToOne) {
  // Below t^2 = 9 p comes from the incomplete beta's hypergeometric series where y <= 1/2, from
  // its continued fraction beyond. Against 1 - I_y(1/2, df/2) in long double, whose log1p keeps
  // the digits of log p near p = 1 too; 1,100 statistics a degree of freedom.
  for (double df : {1.0, 2.0, 3.0, 5.0, 10.0, 30.0, 100.0, 1000.0, 19994.0, 1e6, 1e8}) {
    for (double t = 1e-5; t < 3.0; t *= 1.01) {
      const long double t2 = static_cast<long double>(t) * t;
      const long double log_reference = std::log1p(-boost::math::ibeta(0.5L, static_cast<long double>(df) / 2, t2 / (df + t2)));
      EXPECT_NEAR(log_p_t(t, df), static_cast<double>(log_reference), 2e-13 * std::fabs(static_cast<double>(log_reference)))
          << "t " << t << " df " << df;
    }
  }
}

TEST(PValue, StudentTNearOneMatchesR) {
  // 2 * pt(-t, df) from R 4.2 (sprintf("%.17g")).
  struct Case {
    double df, t, p;
  } cases[] = {{10, 1e-6, 0.99999922178323208},  {20000, 1e-6, 0.99999920212541271}, {10, 0.3, 0.77032060756579868},
               {97, 0.3, 0.76481911260711466},    {20000, 0.3, 0.76418027344660089},  {1e6, 0.3, 0.76417721797899441}};
  for (auto& c : cases) EXPECT_NEAR(std::exp(log_p_t(c.t, c.df)), c.p, 1e-14) << c.t << " " << c.df;
}

TEST(PValue, StudentTWithOneDegreeOfFreedomIsCauchy) {
  for (double t : {1e-6, 0.5, 1.0, 3.0, 1e3}) {
    double exact = 1.0 - 2.0 / M_PI * std::atan(t);
    EXPECT_NEAR(std::exp(log_p_t(t, 1.0)), exact, 1e-15 + 1e-13 * exact) << t;
  }
}

TEST(PValue, PrintsTinyValuesInsteadOfZero) {
  double log_p = -400 * std::log(10.0);
  EXPECT_EQ(format_p_value(log_p), "1.00000e-400");
  EXPECT_EQ(format_neg_log10_p(log_p), "400");
  EXPECT_EQ(format_p_value(std::log(0.05)), "0.05");
  EXPECT_EQ(format_p_value(std::log(2.5e-8)), "2.50000e-08");
  EXPECT_EQ(format_p_value(std::log(0.123456789)), "0.123457");
  EXPECT_EQ(format_p_value(std::log(1.5e-4)), "0.00015");
  EXPECT_EQ(format_p_value(std::log(9.9999999e-5)), "1.00000e-04");  // the mantissa rounds up to 10
  EXPECT_EQ(format_p_value(std::log(3e-123)), "3.00000e-123");
  EXPECT_EQ(format_p_value(0.0), "1");
  EXPECT_EQ(format_p_value(std::nan("")), "NA");
  // A degenerate fit's p = 0 (log -inf) is no result: NA, not 0 and not the text of an infinity.
  EXPECT_EQ(format_p_value(-INFINITY), "NA");
  EXPECT_EQ(format_p_value(INFINITY), "NA");
  EXPECT_EQ(format_neg_log10_p(-INFINITY), "NA");
}

}  // namespace kohort::assoc
