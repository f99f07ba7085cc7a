#pragma once
// Hardy-Weinberg exact test (Wigginton, Cutler & Abecasis 2005) as plink2 reports it: the summed
// probability of all heterozygote counts no more likely than the observed one, optionally mid-p.
#include <cstdint>

namespace kohort::genotype {

// Natural log of the exact-test p-value for the genotype counts of one biallelic variant
// (log space so that p below 1e-308 survives). ln 1 = 0 for a monomorphic or empty variant.
double hwe_exact_ln_p(std::uint32_t hom_ref, std::uint32_t het, std::uint32_t hom_alt, bool midp = false);

}  // namespace kohort::genotype
