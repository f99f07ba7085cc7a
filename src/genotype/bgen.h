#pragma once
// BGEN v1.1/1.2/1.3 (layouts 1 and 2; uncompressed, zlib or zstd; 1-32 bit probabilities; phased
// or unphased). Allele 1 is REF and allele 2 ALT; dosages count allele 2. Hard calls are the
// nearest integer dosage when within 0.1 of it (plink2's default hard-call threshold), else missing.
#include <memory>
#include <string>

#include "genotype/source.h"

namespace kohort::genotype {

// Reads the variant headers once (offsets kept, O(M) memory); `sample_file` (Oxford .sample) names
// the samples, else the BGEN's own sample identifiers. Multi-allelic variants are skipped, reported.
std::unique_ptr<GenotypeSource> open_bgen(const std::string& path, const std::string& sample_file);

std::vector<Sample> read_oxford_sample(const std::string& path);

}  // namespace kohort::genotype
