#pragma once
// Sample and variant selection from plink-style lists (--keep/--remove, --extract/--exclude).
#include <cstdint>
#include <string>
#include <vector>

#include "genotype/source.h"

namespace kohort::genotype {

// File indexes of the samples kept: in every --keep list (when any is given) and in no --remove list.
// A list line is `FID IID` (two or more fields) or `IID` (one field, or a `#IID` header).
std::vector<std::uint32_t> select_samples(const std::vector<Sample>& samples, const std::vector<std::string>& keep_files,
                                          const std::vector<std::string>& remove_files);

// A genomic range, as plink2's --chr (comma-separated names), --from-bp and --to-bp (inclusive;
// these two need exactly one chromosome). Defaults select everything.
struct VariantRange {
  std::vector<std::string> chromosomes;
  std::int64_t from_bp = -1;
  std::int64_t to_bp = -1;
};

// Ascending file indexes of the variants kept: inside `range`, ID in every --extract list and in no
// --exclude list. A list holds one variant ID per line (the first field).
std::vector<std::uint32_t> select_variants(const std::vector<Variant>& variants,
                                           const std::vector<std::string>& extract_files,
                                           const std::vector<std::string>& exclude_files,
                                           const VariantRange& range = {});

}  // namespace kohort::genotype
