#pragma once
// The result of testing one variant against one phenotype, and the choices that shape it: how
// missing calls enter a regression and how the ALT dosage is coded.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "genotype/imputation_quality.h"

namespace kohort::assoc {

// How missing genotype calls enter a regression.
enum class MissingGenotypes {
  mean_impute,  // replaced by the variant's mean among the phenotype's samples (default)
  exclude,      // the sample is dropped for this variant, as plink2 --glm does
};

// How a variant's ALT dosage d enters the models, as plink2 --glm's modifiers of these names code
// it: additive d; dominant min(d, 1) (ALT carriers 1); recessive max(d - 1, 0) (ALT homozygotes 1).
enum class GeneticModel { additive, dominant, recessive };

// Codes `n` ALT dosages in place as `model` does; missing calls (NaN) stay NaN.
inline void recode_dosages(GeneticModel model, double* dosages, std::size_t n) {
  if (model == GeneticModel::dominant) {
    for (std::size_t i = 0; i < n; ++i) dosages[i] = std::isnan(dosages[i]) ? dosages[i] : std::min(dosages[i], 1.0);
  } else if (model == GeneticModel::recessive) {
    for (std::size_t i = 0; i < n; ++i) dosages[i] = std::isnan(dosages[i]) ? dosages[i] : std::max(dosages[i] - 1.0, 0.0);
  }
}

// MaCH's r-squared (the info column) is computed as genotype::mach_r2 defines it.
using genotype::mach_r2;

struct VariantResult {
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  double beta = kNaN;
  double se = kNaN;
  double statistic = kNaN;  // t (linear), z (logistic Wald / score), chi-square (Firth LRT)
  double log_p = kNaN;      // natural log of the p-value
  double effect_allele_frequency = kNaN;
  double info = kNaN;       // mach_r2 of the ALT dosages over the phenotype's samples with one
  // Binary traits, when asked for: the effect allele's frequency among cases and among controls
  // with a call (CaseControlCounter).
  double frequency_cases = kNaN;
  double frequency_controls = kNaN;
  std::uint32_t n = 0;      // samples with a phenotype and an observed genotype
  std::uint32_t cases = 0;  // binary traits only
  std::uint32_t controls = 0;
  const char* method = "";  // how the p-value was computed: linear, score, spa, firth, firth_approx, logistic
  const char* error = nullptr;  // why no estimate: CONST_ALLELE, FIRTH_CONVERGE_FAIL, ...
};

}  // namespace kohort::assoc
