#include "assoc/pvalue.h"

#include <fmt/format.h>

#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/erf.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <string_view>
#include <utility>

#include "core/number_format.h"

namespace kohort::assoc {
namespace {

// Boost computes in long double by default; double precision is what is needed here, and faster.
using DoublePolicy = boost::math::policies::policy<boost::math::policies::promote_double<false>>;
const DoublePolicy kDouble;

constexpr double kLn10 = 2.302585092994045684;

// log erfc(x) for x >= 0: Boost while the value is representable, then the asymptotic series
// erfc(x) = exp(-x^2) / (x sqrt(pi)) * sum_n (-1)^n (2n-1)!! / (2x^2)^n, which at x > 26 is exact
// to double precision after a few terms.
double log_erfc(double x) {
  if (x < 26.0) return std::log(boost::math::erfc(x, kDouble));
  double inverse = 1.0 / (2.0 * x * x);
  double term = 1.0, sum = 1.0;
  for (int n = 1; n < 12; ++n) {
    term *= -(2.0 * n - 1.0) * inverse;
    sum += term;
  }
  return -x * x - std::log(x * std::sqrt(M_PI)) + std::log(sum);
}

// log B(a, b), remembered for the thread's last pair: a run's variants mostly share their degrees
// of freedom, and Boost's beta function was a tenth of a p-value's cost.
double log_beta(double a, double b) {
  if (a > b) std::swap(a, b);  // B(a, b) = B(b, a): one entry serves both tails of a t test
  thread_local double last_a = std::numeric_limits<double>::quiet_NaN(), last_b = last_a, last_value = last_a;
  if (a != last_a || b != last_b) {
    // Boost's beta function keeps full relative precision where lgamma differences would cancel.
    last_value = std::log(boost::math::beta(a, b, kDouble));
    last_a = a;
    last_b = b;
  }
  return last_value;
}

// log of the regularised incomplete beta I_x(a, b) for x below the mean a / (a + b), from its
// continued fraction (evaluated by the modified Lentz method), with the prefactor in log space.
// `y` is 1 - x, passed by the caller exactly: rounded, 1 - x near 1 would lose its digits. Each
// logarithm is taken of the smaller of x and y, through log1p for the larger: log(x) near 1, times
// a large a, would carry x's rounding error (5e-11 at a = 500,000).
double log_ibeta_lower(double a, double b, double x, double y) {
  constexpr double kTiny = 1e-300;
  // 1 - (a + b) x / (a + 1); with x near 1 written with y, as (1 - b + (a + b) y) / (a + 1): near
  // the mean the difference would cancel to a few digits.
  double c = 1.0, d = x <= y ? 1.0 - (a + b) * x / (a + 1.0) : (1.0 - b + (a + b) * y) / (a + 1.0);
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1.0 / d;
  double fraction = d;
  for (int m = 1; m < 100000; ++m) {
    double numerator = m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m));
    d = 1.0 + numerator * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + numerator / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    fraction *= d * c;
    numerator = -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0));
    d = 1.0 + numerator * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + numerator / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    double step = d * c;
    fraction *= step;
    if (std::fabs(step - 1.0) < 1e-16) break;
  }
  const double log_x = x <= y ? std::log(x) : std::log1p(-y), log_y = y <= x ? std::log(y) : std::log1p(-x);
  return a * log_x + b * log_y - std::log(a) - log_beta(a, b) + std::log(fraction);
}

// 1 / (3/2 + n), the series' divisors.
constexpr int kSeriesTerms = 256;
constexpr auto kSeriesInverse = [] {
  std::array<double, kSeriesTerms> inverse{};
  for (int n = 0; n < kSeriesTerms; ++n) inverse[n] = 1.0 / (1.5 + n);
  return inverse;
}();

// log of the two-sided t p-value, 1 - I_y(1/2, b) with b = df / 2 and y = t^2 / (df + t^2) at most
// 1/2, from the hypergeometric series of the incomplete beta (DLMF 8.17.8):
//   I_y(1/2, b) = 2 sqrt(y) (1 - y)^b / B(1/2, b) * sum_n (b + 1/2)_n / (3/2)_n y^n.
// Its terms are all positive and need no division, and for a null statistic (t^2 near 1 at large
// df) a dozen of them suffice; the continued fraction took twice the time. NaN if the series has
// not converged within its table of divisors.
double log_p_t_series(double b, double y) {
  const double rise = (b + 0.5) * y;  // (b + 1/2 + n) y = rise + n y
  double term = 1.0, sum = 1.0;
  for (int n = 0; n < kSeriesTerms; ++n) {
    const double ratio = (rise + n * y) * kSeriesInverse[n];
    term *= ratio;
    sum += term;
    // The ratios fall with n: once below 1/2, the rest of the series is less than the last term.
    if (ratio < 0.5 && term < 1e-17 * sum) {
      const double log_prefactor = std::log(2.0) + b * std::log1p(-y) - log_beta(0.5, b);
      return std::log1p(-std::sqrt(y) * std::exp(log_prefactor) * sum);
    }
  }
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace

double log_normal_upper(double x) {
  if (x < 0) return std::log1p(-0.5 * boost::math::erfc(-x / std::sqrt(2.0), kDouble));
  return std::log(0.5) + log_erfc(x / std::sqrt(2.0));
}

double log_p_normal(double z) {
  if (!std::isfinite(z)) return std::isnan(z) ? std::numeric_limits<double>::quiet_NaN() : -std::numeric_limits<double>::infinity();
  return log_erfc(std::fabs(z) / std::sqrt(2.0));
}

double log_p_chisq1(double x) {
  if (x < 0 || std::isnan(x)) return std::numeric_limits<double>::quiet_NaN();
  return log_erfc(std::sqrt(x / 2.0));
}

double log_p_t(double t, double df) {
  if (std::isnan(t) || df <= 0) return std::numeric_limits<double>::quiet_NaN();
  double t2 = t * t;
  if (std::isinf(t2)) return -std::numeric_limits<double>::infinity();
  if (t2 == 0) return 0.0;
  // p = I_x(df/2, 1/2) = 1 - I_y(1/2, df/2) with x = df / (df + t^2) and y = t^2 / (df + t^2), both
  // exact to rounding. x itself near 1 loses y's digits (Boost's I_x(df/2, 1/2) was off by 6e-11 in
  // log p at df 20,000, 2e-9 at df 1,000,000), and the fraction for I_x loses them too near the
  // mean. So:
  const double a = df / 2.0, x = df / (df + t2), y = t2 / (df + t2);
  // Up to t^2 = 9 (p above 0.0027 at large df), 1 - I_y: from its series where y <= 1/2 (every
  // GWAS, df in the thousands), else from y's continued fraction, which there converges in at
  // most about 30 steps (df 1 near t^2 = 9) to within 1e-12 of log p.
  if (t2 < 9.0) {
    if (y <= 0.5) {
      const double log_p = log_p_t_series(a, y);
      if (!std::isnan(log_p)) return log_p;
    }
    return std::log1p(-std::exp(log_ibeta_lower(0.5, a, y, x)));
  }
  // Beyond, Boost's incomplete beta at the smaller of x and y (y at large df, where it is within
  // 1e-15 of log p; x when df is below t^2), while p is representable; then I_x from its fraction
  // in log space, which far from the mean is well conditioned.
  const double p = x < y ? boost::math::ibeta(a, 0.5, x, kDouble) : boost::math::ibetac(0.5, a, y, kDouble);
  if (p > 1e-280) return std::log(p);
  return log_ibeta_lower(a, 0.5, x, y);
}

char* format_p_value_to(double log_p, char* out) {
  auto put = [&](std::string_view text) {
    std::memcpy(out, text.data(), text.size());
    return out + text.size();
  };
  // log p = -inf (p = 0) claims more than any test can; only a degenerate fit gives it.
  if (!std::isfinite(log_p)) return put("NA");
  if (log_p >= 0) return put("1");
  double log10_p = log_p / kLn10;
  // As printf's "%.6g" and "%.5f", without a locale.
  if (log10_p > -4) return format_general(std::exp(log_p), 6, out);
  double exponent = std::floor(log10_p);
  double mantissa = std::pow(10.0, log10_p - exponent);
  if (mantissa >= 9.999995) {
    mantissa /= 10.0;
    exponent += 1;
  }
  out = std::to_chars(out, out + 32, mantissa, std::chars_format::fixed, 5).ptr;
  // The exponent is negative here; at least two digits, as printf's e-notation.
  int power = -static_cast<int>(exponent);
  *out++ = 'e';
  *out++ = '-';
  if (power < 10) *out++ = '0';
  return std::to_chars(out, out + 8, power).ptr;
}

std::string format_p_value(double log_p) {
  char text[32];
  return std::string(text, format_p_value_to(log_p, text));
}

std::string format_neg_log10_p(double log_p) {
  if (!std::isfinite(log_p)) return "NA";
  double value = -log_p / kLn10;
  return fmt::format("{:.6g}", value == 0 ? 0.0 : value);
}

}  // namespace kohort::assoc
