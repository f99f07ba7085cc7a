#pragma once
// Genotype quality control in one pass over a GenotypeSource: per-variant genotype counts and
// Hardy-Weinberg p, per-sample missing and heterozygous counts (as plink2 --freq --missing --hardy).
#include <cstdint>
#include <limits>
#include <vector>

#include "genotype/source.h"

namespace kohort::genotype {

// Counts as plink2 --freq counts --missing --hardy make them, also on the sex chromosomes: on
// chrY only males count; a haploid call (a male's on chrX and chrY, everyone's on MT) is one
// allele, a heterozygous one half an ALT allele; Hardy-Weinberg on chrX is Graffelman and Weir's
// test (the females' genotypes with the males' alleles), and there is none on chrY and MT.
struct VariantQc {
  std::uint32_t hom_ref = 0, het = 0, hom_alt = 0, missing = 0;
  // ALT alleles among the observed alleles; with dosages (BGEN, a VCF's DS), as plink2 --freq
  // counts them: the dosages' sum over twice the samples with one (haploid: half, over one).
  double alt_alleles = 0, alleles = 0;
  // The genotypes Hardy-Weinberg is tested on (chrX: the females'); hwe_ln_p (natural log of the
  // exact p) is NaN when the variant is haploid.
  std::uint32_t hwe_hom_ref = 0, hwe_het = 0, hwe_hom_alt = 0;
  double hwe_ln_p = 0;
  // MaCH's r-squared (imputation_quality.h) of the dosages, or of the hard calls without them,
  // over the samples with one; NaN on chrX, chrY and MT, and for a monomorphic variant.
  double mach_r2 = std::numeric_limits<double>::quiet_NaN();
  std::uint32_t observed() const { return hom_ref + het + hom_alt; }
};

struct SampleQc {
  // Variants counted for the sample (every one, less chrY's for a sample not known to be male),
  // and its missing, observed and heterozygous calls among them.
  std::uint32_t variants = 0, missing = 0, het = 0, observed = 0;
};

struct QcResult {
  std::vector<VariantQc> variants;  // one per selected variant
  std::vector<SampleQc> samples;    // one per selected sample
};

// Variant filters as plink2's --maf, --mac, --geno, --hwe and --mach-r2-filter apply them; a
// negative threshold is not applied.
struct VariantFilters {
  double maf = -1;       // keep minor allele frequency >= maf
  double mac = -1;       // keep minor allele count >= mac
  double geno = -1;      // keep missing call rate <= geno
  double hwe = -1;       // keep Hardy-Weinberg p >= hwe (haploid variants always pass, as in plink2)
  // keep MaCH r-squared in [mach_r2_min, mach_r2_max]; variants without one (NaN) pass, as in plink2
  double mach_r2_min = -1, mach_r2_max = -1;
  bool any() const { return maf >= 0 || mac >= 0 || geno >= 0 || hwe >= 0 || mach_r2_min >= 0; }
};

// Whether a variant's counts pass every filter set in `filters`.
bool passes(const VariantQc& q, const VariantFilters& filters);

// Counts hard calls of every selected variant and sample; parallel over variants when the source
// allows it, with identical results at any thread count. Shows progress on stderr. `sexes`, one
// per selected sample, replace the source's own (a VCF has none); empty: the source's.
QcResult compute_qc(GenotypeSource& source, bool hwe_midp, const std::vector<Sex>& sexes = {});

}  // namespace kohort::genotype
