#pragma once
// VCF and BCF (plain, bgzip) through htslib: GT to hard calls, DS or GP to dosages. Multi-allelic
// records are skipped (and reported) or split into one biallelic variant per ALT allele.
#include <memory>
#include <string>

#include "genotype/source.h"

namespace kohort::genotype {

struct VcfOptions {
  std::string dosage_field;  // "DS", "GP" or "" (DS when the header defines it, else GP, else none)
  bool split_multiallelic = false;
};

// Reads the file once to index its variants; throws InputError naming the record when htslib
// cannot parse one. Records are then streamed in order (reading backwards reopens the file).
std::unique_ptr<GenotypeSource> open_vcf(const std::string& path, const VcfOptions& options);

}  // namespace kohort::genotype
