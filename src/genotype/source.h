#pragma once
// One interface for every genotype format: blocks of variants x selected samples as ALT dosages
// (NaN where missing), with the variants' metadata. Memory is O(samples x block) per reader.
#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

namespace kohort::genotype {

struct Variant {
  std::string chromosome;
  std::int64_t position = 0;
  std::string id;
  std::string ref;  // the other allele
  std::string alt;  // the counted (effect) allele
  double genetic_position_cm = 0;
};

class GenotypeSource {
 public:
  virtual ~GenotypeSource() = default;
  // Sample ids (IID) of the selected samples, in the order of the dosage rows.
  virtual const std::vector<std::string>& sample_ids() const = 0;
  // Number of selected variants.
  virtual std::uint64_t variant_count() const = 0;
  // The next up to `max_variants` selected variants: metadata, and a samples x count matrix of
  // ALT dosages (NaN where missing). Returns the count, 0 at the end.
  virtual std::size_t next_block(std::size_t max_variants, std::vector<Variant>& variants, Eigen::MatrixXd& dosages) = 0;
};

}  // namespace kohort::genotype
