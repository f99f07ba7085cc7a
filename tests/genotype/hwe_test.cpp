// The HWE exact test against a brute-force enumeration of the Levene distribution with lgamma.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "genotype/hwe.h"

namespace {

// ln P(het = h | n, n_rare) from the closed form for every h, summed in log space (log-sum-exp),
// giving ln p as the test defines it.
double brute_force_ln_p(unsigned hom_ref, unsigned het, unsigned hom_alt, bool midp) {
  const unsigned n = hom_ref + het + hom_alt;
  const unsigned n_rare = 2 * std::min(hom_ref, hom_alt) + het;
  const unsigned n_common = 2 * n - n_rare;
  auto ln_prob = [&](unsigned h) {
    const unsigned rare_hom = (n_rare - h) / 2, common_hom = (n_common - h) / 2;
    return std::lgamma(n + 1.0) - std::lgamma(rare_hom + 1.0) - std::lgamma(h + 1.0) - std::lgamma(common_hom + 1.0) +
           h * std::log(2.0) + std::lgamma(n_rare + 1.0) + std::lgamma(n_common + 1.0) - std::lgamma(2.0 * n + 1);
  };
  const double observed = ln_prob(het);
  double at_most = 0, ties = 0, total = 0;  // scaled by exp(-observed)
  for (unsigned h = n_rare % 2; h <= n_rare; h += 2) {
    const double relative = ln_prob(h) - observed;
    const double p = std::exp(std::min(relative, 700.0));
    if (relative < 700) total += p;
    if (relative <= 1e-9) at_most += p;
    if (std::fabs(relative) <= 1e-9) ties += p;
  }
  // Every term that counts is <= the observed one; the total is exact in log space only when no
  // term overflows, which holds for the tables used here.
  return observed + std::log(midp ? at_most - ties / 2 : at_most);
}

TEST(HweExact, MatchesEnumeration) {
  const std::vector<std::vector<unsigned>> tables = {
      {307, 70, 2}, {369, 10, 0}, {50, 50, 50}, {100, 0, 100}, {10, 80, 10}, {500, 300, 40}, {1, 1, 1}, {0, 7, 0}};
  for (const auto& t : tables) {
    for (bool midp : {false, true}) {
      const double expected = brute_force_ln_p(t[0], t[1], t[2], midp);
      const double got = kohort::genotype::hwe_exact_ln_p(t[0], t[1], t[2], midp);
      EXPECT_NEAR(got, expected, 1e-9 * std::fabs(expected) + 1e-10) << t[0] << " " << t[1] << " " << t[2] << " midp "
                                                                        << midp;
    }
  }
}

TEST(HweExact, SymmetricInAlleles) {
  EXPECT_DOUBLE_EQ(kohort::genotype::hwe_exact_ln_p(307, 70, 2), kohort::genotype::hwe_exact_ln_p(2, 70, 307));
}

TEST(HweExact, TinyPStaysInLogSpace) {
  // 20000 heterozygotes and no homozygotes: p far below the smallest double.
  const double ln_p = kohort::genotype::hwe_exact_ln_p(0, 20000, 0);
  // ln p is ln P(observed) + ln(sum of terms relative to it); the normalising total is 1 by construction.
  const double expected = brute_force_ln_p(0, 20000, 0, false);
  EXPECT_NEAR(ln_p, expected, 1e-9 * std::fabs(expected));
  EXPECT_LT(ln_p, -800.0);
  EXPECT_TRUE(std::isfinite(ln_p));
}

TEST(HweExact, MonomorphicIsOne) {
  EXPECT_EQ(kohort::genotype::hwe_exact_ln_p(10, 0, 0), 0.0);
  EXPECT_NEAR(std::exp(kohort::genotype::hwe_exact_ln_p(10, 0, 0, true)), 0.5, 1e-15);
}

// The chrX test by enumerating every table of the same totals: females' (a, h, b) and males'
// (m_a, m_b), with probability proportional to 2^h / (a! h! b! m_a! m_b!), in log space.
double brute_force_x_ln_p(unsigned f_ref, unsigned f_het, unsigned f_alt, unsigned m_ref, unsigned m_alt, bool midp) {
  const unsigned females = f_ref + f_het + f_alt, males = m_ref + m_alt;
  const unsigned total_a = 2 * f_alt + f_het + m_alt;
  auto ln_table = [](double a, double h, double b, double ma, double mb) {
    return -std::lgamma(a + 1) - std::lgamma(h + 1) - std::lgamma(b + 1) + h * std::log(2.0) - std::lgamma(ma + 1) - std::lgamma(mb + 1);
  };
  const double observed = ln_table(f_alt, f_het, f_ref, m_alt, m_ref);
  std::vector<double> all, counted;
  double ties = 0;
  for (unsigned ma = 0; ma <= std::min(males, total_a); ++ma) {
    const unsigned f = total_a - ma;
    if (f > 2 * females) continue;
    for (unsigned h = f % 2; h <= std::min(f, 2 * females - f); h += 2) {
      const unsigned a = (f - h) / 2, b = females - a - h;
      const double relative = ln_table(a, h, b, ma, males - ma) - observed;
      all.push_back(relative);
      if (relative <= 1e-9) counted.push_back(relative);
      if (std::fabs(relative) <= 1e-9) ties += std::exp(relative);
    }
  }
  auto log_sum = [](const std::vector<double>& terms) {
    double top = -INFINITY;
    for (double t : terms) top = std::max(top, t);
    double sum = 0;
    for (double t : terms) sum += std::exp(t - top);
    return top + std::log(sum);
  };
  double ln_at_most = log_sum(counted);
  if (midp) ln_at_most = std::log(std::exp(ln_at_most) - ties / 2);
  return ln_at_most - log_sum(all);
}

TEST(HweExactX, MatchesEnumeration) {
  // female ref/het/alt, male ref/alt: balanced, skewed, tiny, far from equilibrium, no females.
  const std::vector<std::vector<unsigned>> tables = {
      {67, 89, 29, 54, 21}, {30, 40, 10, 20, 30}, {100, 0, 100, 50, 50}, {5, 60, 5, 10, 2},
      {1, 1, 1, 1, 1},      {0, 3, 0, 0, 4},      {40, 10, 0, 35, 0},    {150, 20, 1, 120, 3}, {0, 0, 0, 5, 7}};
  for (const auto& t : tables) {
    for (bool midp : {false, true}) {
      const double expected = brute_force_x_ln_p(t[0], t[1], t[2], t[3], t[4], midp);
      const double got = kohort::genotype::hwe_x_exact_ln_p(t[0], t[1], t[2], t[3], t[4], midp);
      EXPECT_NEAR(got, expected, 1e-9 * std::fabs(expected) + 1e-10)
          << t[0] << " " << t[1] << " " << t[2] << " | " << t[3] << " " << t[4] << " midp " << midp;
    }
  }
  // Without males: the females' test; symmetric in the alleles.
  EXPECT_DOUBLE_EQ(kohort::genotype::hwe_x_exact_ln_p(307, 70, 2, 0, 0), kohort::genotype::hwe_exact_ln_p(307, 70, 2));
  EXPECT_NEAR(kohort::genotype::hwe_x_exact_ln_p(30, 40, 10, 20, 30), kohort::genotype::hwe_x_exact_ln_p(10, 40, 30, 30, 20), 1e-12);
}

TEST(HweExactX, TinyPStaysInLogSpace) {
  // 3000 heterozygous females and males of one allele only: p far below the smallest double.
  const double ln_p = kohort::genotype::hwe_x_exact_ln_p(0, 3000, 0, 1500, 0);
  const double expected = brute_force_x_ln_p(0, 3000, 0, 1500, 0, false);
  EXPECT_NEAR(ln_p, expected, 1e-9 * std::fabs(expected));
  EXPECT_LT(ln_p, -800.0);
  // Females far from equilibrium and males of both alleles: every column holds tables less likely
  // than the observed one (each column is bisected, not walked from its mode).
  const double far = kohort::genotype::hwe_x_exact_ln_p(1000, 200, 1000, 600, 500);
  const double far_expected = brute_force_x_ln_p(1000, 200, 1000, 600, 500, false);
  EXPECT_NEAR(far, far_expected, 1e-9 * std::fabs(far_expected));
  EXPECT_LT(far, -500.0);
}

}  // namespace
