#include "genotype/hwe.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace kohort::genotype {

namespace {

// Terms relative to the observed table can exceed any floating range when the table is far from
// equilibrium, so each is a double scaled by kUnit^k; it is no more likely than the observed one
// only when k == 0. Ties: within relative 1e-12.
constexpr double kTie = 1e-12;
constexpr double kNegligible = 1e-17;  // relative to the observed term, which is in both sums
constexpr double kUnit = 1e280;

// One direction of the walk over heterozygote counts h (same parity), with its own sums.
struct Walk {
  Walk(std::uint64_t het, std::uint64_t rare_hom, std::uint64_t common_hom, bool towards_more)
      : h(het), rh(rare_hom), ch(common_hom), up(towards_more) {
    done = up ? (rh == 0 || ch == 0) : h < 2;
  }

  void step() {
    double ratio;
    if (up) {  // P(h+2)/P(h) = 4 * rare_hom * common_hom / ((h+1)(h+2))
      ratio = 4.0 * double(rh) * double(ch) / (double(h + 1) * double(h + 2));
      h += 2;
      --rh;
      --ch;
      done = rh == 0 || ch == 0;
    } else {  // P(h-2)/P(h) = h(h-1) / (4 (rare_hom+1)(common_hom+1))
      ratio = double(h) * double(h - 1) / (4.0 * double(rh + 1) * double(ch + 1));
      h -= 2;
      ++rh;
      ++ch;
      done = h < 2;
    }
    r *= ratio;
    if (r > kUnit) {
      r /= kUnit;
      ++k;
    } else if (k > 0 && r < 1 / kUnit) {
      r *= kUnit;
      --k;
    }
    if (k == 0 && r <= 1 + kTie) {
      at_most += r;
      if (r >= 1 - kTie) ties += r;
    }
    if (k == total_k) {
      total += r;
    } else if (k > total_k) {
      total = total * std::pow(kUnit, double(total_k - k)) + r;
      total_k = k;
    } else {
      total += r * std::pow(kUnit, double(k - total_k));
    }
    // Past the mode (falling) and negligible: the rest of this side adds nothing.
    if (ratio < 1 && k == 0 && r < kNegligible) done = true;
  }

  std::uint64_t h, rh, ch;
  bool up;
  bool done = false;
  double r = 1;
  int k = 0;
  double at_most = 0, ties = 0, total = 0;
  int total_k = 0;
};

}  // namespace

double hwe_exact_ln_p(std::uint32_t hom_ref, std::uint32_t het, std::uint32_t hom_alt, bool midp) {
  // Work with the rare allele: n_rare alleles among n samples; het counts share n_rare's parity.
  const std::uint64_t n = std::uint64_t(hom_ref) + het + hom_alt;
  const std::uint64_t rare_hom = std::min(hom_ref, hom_alt);
  const std::uint64_t n_rare = 2 * rare_hom + het;
  // A single possible table: p = 1, mid-p = 1/2 (as plink2 reports it).
  if (n == 0 || n_rare == 0) return midp ? -std::log(2.0) : 0.0;

  // Probabilities relative to the observed table (observed = 1), summed by two walks away from it
  // (towards more and towards fewer heterozygotes) that run interleaved, as they are independent.
  Walk up(het, rare_hom, n - het - rare_hom, true), down(het, rare_hom, n - het - rare_hom, false);
  while (!up.done || !down.done) {
    if (!up.done) up.step();
    if (!down.done) down.step();
  }
  const double at_most = 1 + up.at_most + down.at_most;
  const double ties = 1 + up.ties + down.ties;
  const int top = std::max({0, up.total_k, down.total_k});
  auto scaled = [&](double value, int k) { return k == top ? value : value * std::pow(kUnit, double(k - top)); };
  const double total = scaled(1, 0) + scaled(up.total, up.total_k) + scaled(down.total, down.total_k);
  const double numerator = midp ? at_most - ties / 2 : at_most;
  const double ln_p = std::log(numerator) - std::log(total) - double(top) * std::log(kUnit);
  return std::min(ln_p, 0.0);
}

namespace {

// ln of the probability of a table, up to a constant shared by all tables of the same totals:
// females' genotypes (a, h, b) in Hardy-Weinberg proportions, 2^h n_f! / (a! h! b!), and the
// males' alleles, n_m! / (m_a! m_b!).
double ln_table(double a, double h, double b, double male_a, double male_b) {
  return -std::lgamma(a + 1) - std::lgamma(h + 1) - std::lgamma(b + 1) + h * std::log(2.0) - std::lgamma(male_a + 1) -
         std::lgamma(male_b + 1);
}

double ln_choose(double n, double k) { return std::lgamma(n + 1) - std::lgamma(k + 1) - std::lgamma(n - k + 1); }

// Another column's tables are compared with the observed one through lgamma differences, good to
// about 1e-11 relative: ties between columns get a wider margin than those within the observed
// column (which is walked from the observed table itself).
constexpr double kColumnTie = 1e-9;

struct ColumnSums {
  double at_most = 0, ties = 0;
};

// The tables of one column (female allele count f) no more likely than the observed one, relative
// to it. The column's heterozygote counts h (f's parity, from h_low to h_high) have a log-concave
// distribution with its mode at h_mode: on each side, the first table at most as likely as the
// observed one is found by bisection (ln_value gives a table's ln probability relative to the
// observed one), then the tail is summed outwards until negligible. So a column costs a few dozen
// lgamma calls and a short walk, however far the observed table lies in the tail.
template <typename LnValue>
ColumnSums column_at_most(std::uint64_t h_low, std::uint64_t h_high, std::uint64_t h_mode, std::uint64_t females,
                          std::uint64_t f, const LnValue& ln_value) {
  ColumnSums sums;
  const double ln_limit = std::log1p(kColumnTie);
  for (int direction : {+1, -1}) {
    // Steps of 2 from the mode: k in [0, k_max].
    const std::uint64_t k_max = direction > 0 ? (h_high - h_mode) / 2 : (h_mode - h_low) / 2;
    auto het = [&](std::uint64_t k) { return direction > 0 ? h_mode + 2 * k : h_mode - 2 * k; };
    if (k_max == 0 && direction < 0) continue;  // the mode was counted going up
    if (ln_value(het(k_max)) > ln_limit) continue;  // even the last table is more likely
    std::uint64_t lo = direction > 0 ? 0 : 1, hi = k_max;  // the first k at or below the observed table
    if (ln_value(het(lo)) > ln_limit) {
      while (hi - lo > 1) {
        const std::uint64_t mid = lo + (hi - lo) / 2;
        (ln_value(het(mid)) > ln_limit ? lo : hi) = mid;
      }
    } else {
      hi = lo;
    }
    std::uint64_t k = hi;
    double value = std::exp(ln_value(het(k)));
    while (true) {
      if (value <= 1 + kColumnTie) {
        sums.at_most += value;
        if (value >= 1 - kColumnTie) sums.ties += value;
      }
      if (value < kNegligible || k == k_max) break;
      // The next table outwards: P(h+2)/P(h) = 4ab / ((h+1)(h+2)), P(h-2)/P(h) = h(h-1) / (4(a+1)(b+1)).
      const std::uint64_t h = het(k);
      const double a = double((f - h) / 2), b = double(females - (f - h) / 2 - h);
      value *= direction > 0 ? 4.0 * a * b / (double(h + 1) * double(h + 2)) : double(h) * double(h - 1) / (4.0 * (a + 1) * (b + 1));
      ++k;
    }
  }
  return sums;
}

}  // namespace

double hwe_x_exact_ln_p(std::uint32_t female_hom_ref, std::uint32_t female_het, std::uint32_t female_hom_alt,
                        std::uint32_t male_ref, std::uint32_t male_alt, bool midp) {
  const std::uint64_t females = std::uint64_t(female_hom_ref) + female_het + female_hom_alt;
  const std::uint64_t males = std::uint64_t(male_ref) + male_alt;
  if (males == 0) return hwe_exact_ln_p(female_hom_ref, female_het, female_hom_alt, midp);
  // A: the ALT allele. The tables with these totals differ in the female A count f (and so the
  // males' m_a = total_a - f) and, for each f, in the female heterozygotes.
  const std::uint64_t total_a = 2 * std::uint64_t(female_hom_alt) + female_het + male_alt;
  const std::uint64_t alleles = 2 * females + males;
  const std::uint64_t f_low = total_a > males ? total_a - males : 0, f_high = std::min(2 * females, total_a);
  const std::uint64_t f_observed = 2 * std::uint64_t(female_hom_alt) + female_het;
  const double ln_observed = ln_table(female_hom_alt, female_het, female_hom_ref, male_alt, male_ref);
  const double ln_tie = std::log1p(kColumnTie);
  const double ln_females = std::lgamma(double(females) + 1), ln_males = std::lgamma(double(males) + 1);

  // The observed column (the females' own Levene distribution) is walked from the observed table,
  // as in hwe_exact_ln_p.
  const std::uint64_t rare_hom = std::min(female_hom_ref, female_hom_alt);
  Walk up(female_het, rare_hom, females - female_het - rare_hom, true), down(female_het, rare_hom, females - female_het - rare_hom, false);
  while (!up.done || !down.done) {
    if (!up.done) up.step();
    if (!down.done) down.step();
  }
  double at_most = 1 + up.at_most + down.at_most, ties = 1 + up.ties + down.ties;
  // Another column: its most likely table, then its tables no more likely than the observed one.
  // Returns the column's total relative to the observed table, in logs.
  auto column = [&](std::uint64_t f) {
    const std::uint64_t h_max = std::min(f, 2 * females - f);
    // The mode of the heterozygote count given f (same parity as f), found from the expectation.
    std::uint64_t h = females > 0 ? std::min<std::uint64_t>(h_max, std::uint64_t(double(f) * double(2 * females - f) / double(2 * females))) : 0;
    if ((h & 1) != (f & 1)) h = h < h_max ? h + 1 : h - 1;
    auto a_of = [&](std::uint64_t het) { return (f - het) / 2; };
    auto b_of = [&](std::uint64_t het) { return females - (f - het) / 2 - het; };
    while (h + 2 <= h_max && 4.0 * double(a_of(h)) * double(b_of(h)) > double(h + 1) * double(h + 2)) h += 2;
    while (h >= 2 && double(h) * double(h - 1) > 4.0 * double(a_of(h) + 1) * double(b_of(h) + 1)) h -= 2;
    const std::uint64_t male_a = total_a - f;
    const double ln_mode = ln_table(a_of(h), h, b_of(h), male_a, males - male_a) - ln_observed;
    // The column's sum: 2^h / (a! h! b!) over h is C(2 n_f, f) / n_f!.
    const double ln_column = ln_choose(2.0 * females, f) - ln_females + ln_choose(males, male_a) - ln_males - ln_observed;
    if (f == f_observed) {
      // counted above
    } else if (ln_mode < -ln_tie) {
      at_most += std::exp(ln_column);  // every table of the column is less likely than the observed one
    } else {
      const double ln_male = -std::lgamma(double(male_a) + 1) - std::lgamma(double(males - male_a) + 1);
      auto ln_value = [&](std::uint64_t het) {
        const double a = double(a_of(het)), b = double(b_of(het));
        return -std::lgamma(a + 1) - std::lgamma(double(het) + 1) - std::lgamma(b + 1) + double(het) * std::log(2.0) + ln_male - ln_observed;
      };
      const ColumnSums sums = column_at_most(f & 1, h_max, h, females, f, ln_value);
      at_most += sums.at_most;
      ties += sums.ties;
    }
    return ln_column;
  };
  // Columns outwards from the observed one, while they can add anything.
  const double ln_negligible = std::log(kNegligible);
  const double observed_column = column(f_observed);
  double previous = observed_column;
  for (std::uint64_t f = f_observed + 1; f <= f_high; ++f) {
    const double ln_column = column(f);
    if (ln_column < ln_negligible && ln_column < previous) break;
    previous = ln_column;
  }
  previous = observed_column;
  for (std::uint64_t f = f_observed; f-- > f_low;) {
    const double ln_column = column(f);
    if (ln_column < ln_negligible && ln_column < previous) break;
    previous = ln_column;
  }
  // Every table: sum over f of C(2 n_f, f) C(n_m, total_a - f) = C(2 n_f + n_m, total_a).
  const double ln_total = ln_choose(double(alleles), double(total_a)) - ln_females - ln_males - ln_observed;
  const double numerator = midp ? at_most - ties / 2 : at_most;
  return std::min(std::log(numerator) - ln_total, 0.0);
}

}  // namespace kohort::genotype
