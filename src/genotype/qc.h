#pragma once
// Genotype quality control in one pass over a GenotypeSource: per-variant genotype counts and
// Hardy-Weinberg p, per-sample missing and heterozygous counts (as plink2 --freq --missing --hardy).
#include <cstdint>
#include <vector>

#include "genotype/source.h"

namespace kohort::genotype {

struct VariantQc {
  std::uint32_t hom_ref = 0, het = 0, hom_alt = 0, missing = 0;
  double hwe_ln_p = 0;  // natural log of the HWE exact p
  std::uint32_t observed() const { return hom_ref + het + hom_alt; }
  std::uint64_t alt_count() const { return std::uint64_t(het) + 2ull * hom_alt; }
  std::uint64_t ref_count() const { return std::uint64_t(het) + 2ull * hom_ref; }
};

struct SampleQc {
  std::uint32_t missing = 0, het = 0, observed = 0;
};

struct QcResult {
  std::vector<VariantQc> variants;  // one per selected variant
  std::vector<SampleQc> samples;    // one per selected sample
};

// Counts hard calls of every selected variant and sample; parallel over variants when the source
// allows it, with identical results at any thread count. Shows progress on stderr.
QcResult compute_qc(GenotypeSource& source, bool hwe_midp);

}  // namespace kohort::genotype
