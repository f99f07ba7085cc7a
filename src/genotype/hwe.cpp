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

}  // namespace kohort::genotype
