#pragma once
// PLINK 1 binary filesets (.bed/.bim/.fam, variant-major): the .bed is memory-mapped and decoded
// through a byte lookup table. As in plink2, the first .bim allele (A1) is ALT and the second REF.
#include <memory>
#include <string>

#include "genotype/source.h"

namespace kohort::genotype {

// Opens PREFIX.bed/.bim/.fam; throws InputError for a bad magic, a size that does not match
// the .bim and .fam counts, or malformed .bim/.fam lines.
std::unique_ptr<GenotypeSource> open_bed(const std::string& prefix);

// The same with explicit file names.
std::unique_ptr<GenotypeSource> open_bed(const std::string& bed, const std::string& bim, const std::string& fam);

std::vector<Sample> read_fam(const std::string& path);
std::vector<Variant> read_bim(const std::string& path);

}  // namespace kohort::genotype
