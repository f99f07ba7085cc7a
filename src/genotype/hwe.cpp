#include "genotype/hwe.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace kohort::genotype {

double hwe_exact_ln_p(std::uint32_t hom_ref, std::uint32_t het, std::uint32_t hom_alt, bool midp) {
  // Work with the rare allele: n_rare alleles among n samples; het counts share n_rare's parity.
  const std::uint64_t n = std::uint64_t(hom_ref) + het + hom_alt;
  const std::uint64_t rare_hom = std::min(hom_ref, hom_alt);
  const std::uint64_t n_rare = 2 * rare_hom + het;
  // A single possible table: p = 1, mid-p = 1/2 (as plink2 reports it).
  if (n == 0 || n_rare == 0) return midp ? -std::log(2.0) : 0.0;

  // Probabilities relative to the observed table (observed = 1). Terms can exceed any floating
  // range when the table is far from equilibrium, so each is a double scaled by kUnit^k.
  // A term is no more likely than the observed one only when k == 0. Ties: relative 1e-12.
  using Real = double;
  constexpr Real kTie = 1e-12;
  constexpr Real kNegligible = 1e-17;  // relative to the observed term, which is in both sums
  constexpr Real kUnit = 1e280;
  Real at_most = 1, ties = 1;
  Real total = 1;
  int total_k = 0;

  auto add = [&](Real r, int k) {
    if (k == 0 && r <= 1 + kTie) {
      at_most += r;
      if (r >= 1 - kTie) ties += r;
    }
    if (k == total_k) {
      total += r;
    } else if (k > total_k) {
      total = total * std::pow(kUnit, Real(total_k - k)) + r;
      total_k = k;
    } else {
      total += r * std::pow(kUnit, Real(k - total_k));
    }
  };
  // Walks away from the observed count; `step` gives the ratio to the next term. Stops once the
  // terms fall (past the mode) below kNegligible.
  auto walk = [&](auto step) {
    Real r = 1, previous = 1;
    int k = 0;
    Real ratio;
    while (step(ratio)) {
      r *= ratio;
      if (r > kUnit) {
        r /= kUnit;
        ++k;
      } else if (k > 0 && r < 1 / kUnit) {
        r *= kUnit;
        --k;
      }
      add(r, k);
      const bool falling = ratio < 1;
      if (falling && k == 0 && r < kNegligible) break;
      (void)previous;
      previous = r;
    }
  };
  // Towards more heterozygotes: P(h+2)/P(h) = 4 * rare_hom * common_hom / ((h+1)(h+2)).
  {
    std::uint64_t h = het, rh = rare_hom, ch = n - het - rare_hom;
    walk([&](Real& ratio) {
      if (rh == 0 || ch == 0) return false;
      ratio = Real(4) * Real(rh) * Real(ch) / (Real(h + 1) * Real(h + 2));
      h += 2;
      --rh;
      --ch;
      return true;
    });
  }
  // Towards fewer heterozygotes: P(h-2)/P(h) = h(h-1) / (4 (rare_hom+1)(common_hom+1)).
  {
    std::uint64_t h = het, rh = rare_hom, ch = n - het - rare_hom;
    walk([&](Real& ratio) {
      if (h < 2) return false;
      ratio = Real(h) * Real(h - 1) / (Real(4) * Real(rh + 1) * Real(ch + 1));
      h -= 2;
      ++rh;
      ++ch;
      return true;
    });
  }
  const Real numerator = midp ? at_most - ties / 2 : at_most;
  const Real ln_p = std::log(numerator) - std::log(total) - Real(total_k) * std::log(kUnit);
  return double(std::min<Real>(ln_p, 0));
}

}  // namespace kohort::genotype
