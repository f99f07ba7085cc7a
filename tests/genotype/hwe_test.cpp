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

}  // namespace
