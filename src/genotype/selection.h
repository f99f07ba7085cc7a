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

// Ascending file indexes of the variants kept: ID in every --extract list and in no --exclude list.
// A list holds one variant ID per line (the first field).
std::vector<std::uint32_t> select_variants(const std::vector<Variant>& variants,
                                           const std::vector<std::string>& extract_files,
                                           const std::vector<std::string>& exclude_files);

}  // namespace kohort::genotype
