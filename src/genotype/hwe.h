#pragma once
// Hardy-Weinberg exact test (Wigginton, Cutler & Abecasis 2005) as plink2 reports it: the summed
// probability of all heterozygote counts no more likely than the observed one, optionally mid-p.
#include <cstdint>

namespace kohort::genotype {

// Natural log of the exact-test p-value for the genotype counts of one biallelic variant
// (log space so that p below 1e-308 survives). ln 1 = 0 for a monomorphic or empty variant.
double hwe_exact_ln_p(std::uint32_t hom_ref, std::uint32_t het, std::uint32_t hom_alt, bool midp = false);

// The exact test for a chrX variant (Graffelman & Weir 2016), as plink2 --hardy reports for chrX:
// females' genotype counts and males' allele counts, conditioned on the total allele count; the
// same allele frequency in both sexes and Hardy-Weinberg in females under the null. Without
// males it is hwe_exact_ln_p on the females.
double hwe_x_exact_ln_p(std::uint32_t female_hom_ref, std::uint32_t female_het, std::uint32_t female_hom_alt,
                        std::uint32_t male_ref, std::uint32_t male_alt, bool midp = false);

}  // namespace kohort::genotype
