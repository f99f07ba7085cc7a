#include "assoc/multiple_testing.h"

#include <boost/math/special_functions/erf.hpp>
#include <algorithm>
#include <cmath>
#include <limits>

#include "assoc/pvalue.h"

namespace kohort::assoc {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Below this log p, exp(log p) is no longer a normal double.
constexpr double kSmallestExpLog = -700.0;

// log(1 - (1 - p)^k) from log p. Where p underflows, 1 - (1 - p)^k is k p to within k p / 2 of
// itself, far below a double's precision.
double log_sidak(double log_p, double k) {
  if (log_p < kSmallestExpLog) return log_p + std::log(k);
  return std::log(-std::expm1(k * std::log1p(-std::exp(log_p))));
}

}  // namespace

double chisq1_of_log_p(double log_p) {
  if (std::isnan(log_p) || log_p > 0) return kNaN;
  if (log_p == 0) return 0;
  // The statistic is 2 s^2 where erfc(s) = p.
  if (log_p > kSmallestExpLog) {
    const double s = boost::math::erfc_inv(std::exp(log_p));
    return 2 * s * s;
  }
  // Far in the tail: Newton's method on log erfc(s) = log p, whose slope is
  // -2 / sqrt(pi) exp(-s^2) / erfc(s), about -2 s there. log erfc(s) is about -s^2.
  double s = std::sqrt(-log_p);
  for (int iteration = 0; iteration < 50; ++iteration) {
    const double log_erfc = log_p_chisq1(2 * s * s);
    const double slope = -2.0 / std::sqrt(M_PI) * std::exp(-s * s - log_erfc);
    const double step = (log_erfc - log_p) / slope;
    s -= step;
    if (std::fabs(step) <= 1e-15 * s) break;
  }
  return 2 * s * s;
}

double genomic_inflation(std::vector<double>& log_p) {
  const auto tests = static_cast<std::size_t>(std::partition(log_p.begin(), log_p.end(), [](double v) { return !std::isnan(v); }) - log_p.begin());
  if (tests == 0) return kNaN;
  // The statistic falls as p rises: the median statistic is that of the median p.
  const auto middle = log_p.begin() + static_cast<std::ptrdiff_t>(tests / 2);
  std::nth_element(log_p.begin(), middle, log_p.begin() + static_cast<std::ptrdiff_t>(tests));
  double median = chisq1_of_log_p(*middle);
  if (tests % 2 == 0) {
    const double below = *std::max_element(log_p.begin(), middle);  // the other middle one
    median = 0.5 * (median + chisq1_of_log_p(below));
  }
  return median / kChisq1Median;
}

PValueAdjuster::PValueAdjuster(const std::vector<double>& sorted_log_p, double lambda, bool from_genomic_control)
    : sorted_log_p_(sorted_log_p),
      lambda_(lambda),
      basis_(from_genomic_control ? controlled_ : sorted_log_p),
      log_tests_(std::log(static_cast<double>(sorted_log_p.size()))),
      holm_(-std::numeric_limits<double>::infinity()),
      sidak_step_down_(holm_) {
  const std::size_t m = sorted_log_p.size();
  if (from_genomic_control) {
    controlled_.resize(m);
    for (std::size_t i = 0; i < m; ++i) controlled_[i] = log_p_chisq1(chisq1_of_log_p(sorted_log_p[i]) / lambda_);
  }
  // The harmonic number of m, summed from the smallest terms up.
  long double harmonic = 0;
  for (std::size_t k = m; k > 0; --k) harmonic += 1.0L / static_cast<long double>(k);
  const double log_harmonic = std::log(static_cast<double>(harmonic));
  // The smallest p_(j) m / j over j >= i, from the largest p down (p_(m) m / m is at most 1).
  fdr_bh_.resize(m);
  fdr_by_.resize(m);
  double bh = 0, by = 0;
  for (std::size_t i = m; i > 0; --i) {
    const double log_p = basis_[i - 1], log_rank = std::log(static_cast<double>(i));
    bh = std::min(bh, log_p + log_tests_ - log_rank);
    by = std::min(by, log_p + log_tests_ + log_harmonic - log_rank);
    fdr_bh_[i - 1] = bh;
    fdr_by_[i - 1] = by;
  }
}

AdjustedLogP PValueAdjuster::next() {
  const std::size_t i = next_++;
  const double log_p = basis_[i];
  const double tests = static_cast<double>(sorted_log_p_.size());
  const double remaining = tests - static_cast<double>(i);  // this test and those after it
  AdjustedLogP a;
  a.genomic_control = controlled_.empty() ? log_p_chisq1(chisq1_of_log_p(log_p) / lambda_) : controlled_[i];
  a.expected = std::log((static_cast<double>(i) + 0.5) / tests);
  a.bonferroni = std::min(0.0, log_p + log_tests_);
  holm_ = std::max(holm_, std::min(0.0, log_p + std::log(remaining)));
  a.holm = holm_;
  a.sidak_single_step = log_sidak(log_p, tests);
  sidak_step_down_ = std::max(sidak_step_down_, log_sidak(log_p, remaining));
  a.sidak_step_down = sidak_step_down_;
  a.fdr_bh = fdr_bh_[i];
  a.fdr_by = fdr_by_[i];
  return a;
}

}  // namespace kohort::assoc
