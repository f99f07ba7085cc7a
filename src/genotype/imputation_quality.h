#pragma once
// Imputation quality of dosages: MaCH's r-squared (plink2's MACH_R2, often labelled INFO), per
// variant over the samples with a dosage: the GWAS output's info column, kohort qc's MACH_R2 and
// --mach-r2-filter.
#include <limits>

namespace kohort::genotype {

// MaCH's r-squared of `observed` dosages with this sum and sum of squares: their variance (divided
// by n) over 2p(1 - p), the variance of an allele count at the frequency p = sum / (2 observed).
// About 1 for calls known for sure in Hardy-Weinberg proportions, less the more uncertain the
// imputation (and above 1 with an excess of homozygotes). NaN when p is 0 or 1.
inline double mach_r2(double sum, double sum_of_squares, double observed) {
  // 2 (n sum d^2 - (sum d)^2) / (sum d (2n - sum d)): var / (2p(1 - p)) in one division.
  const double expected = sum * (2 * observed - sum);
  if (!(observed > 0) || !(expected > 0)) return std::numeric_limits<double>::quiet_NaN();
  return 2 * (observed * sum_of_squares - sum * sum) / expected;
}

// Whether a variant's r-squared passes plink2's --mach-r2-filter MIN MAX: within [min, max], or
// NaN (monomorphic, or a sex chromosome or MT), which the filter keeps as plink2 does.
inline bool passes_mach_r2(double r2, double min, double max) { return !(r2 < min) && !(r2 > max); }

}  // namespace kohort::genotype
