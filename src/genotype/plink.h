#pragma once
// PLINK 1 binary filesets: .fam (samples), .bim (variants) and the variant-major .bed matrix of
// 2-bit calls, memory-mapped, decoded to ALT dosages through a lookup table.
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "genotype/source.h"

namespace kohort::genotype {

struct FamSample {
  std::string family_id;
  std::string id;
  int sex = 0;  // 1 male, 2 female, 0 unknown
};

std::vector<FamSample> read_fam(const std::string& path);
// The .bim's first allele column is ALT (the counted allele, A1), the second REF, as plink2 reads it.
std::vector<Variant> read_bim(const std::string& path);

// Sample ids listed in a --keep/--remove file: `FID IID` or `IID` per line, optional header.
std::unordered_set<std::string> read_sample_list(const std::string& path);
// Variant ids listed one per line (first column) in an --extract/--exclude file.
std::unordered_set<std::string> read_variant_list(const std::string& path);

// Which samples and variants of a fileset to read.
struct Selection {
  std::unordered_set<std::string> keep, remove;        // sample ids (IID); empty keep = all
  std::unordered_set<std::string> extract, exclude;    // variant ids; empty extract = all
};

// A PLINK 1 fileset read as a GenotypeSource.
class BedReader : public GenotypeSource {
 public:
  // `prefix` names prefix.bed, prefix.bim and prefix.fam.
  BedReader(const std::string& prefix, const Selection& selection = {});
  ~BedReader() override;

  const std::vector<std::string>& sample_ids() const override { return sample_ids_; }
  std::uint64_t variant_count() const override { return selected_variants_.size(); }
  std::size_t next_block(std::size_t max_variants, std::vector<Variant>& variants, Eigen::MatrixXd& dosages) override;

  // The same variants as .bed rows (2-bit codes over all samples of the file), for kernels that
  // work on the codes directly; decode_rows turns such rows into dosages of the selected samples.
  std::size_t next_rows(std::size_t max_variants, std::vector<Variant>& variants, std::vector<const std::uint8_t*>& rows);
  void decode_rows(const std::vector<const std::uint8_t*>& rows, Eigen::MatrixXd& dosages) const;
  // The .bed column of each selected sample.
  const std::vector<std::uint32_t>& sample_positions() const { return selected_samples_; }

  const std::vector<FamSample>& fam() const { return fam_; }
  std::size_t file_sample_count() const { return fam_.size(); }
  // Restart from the first selected variant.
  void rewind() { next_ = 0; }

 private:
  std::string bed_path_;
  std::vector<FamSample> fam_;
  std::vector<Variant> bim_;
  std::vector<std::string> sample_ids_;
  std::vector<std::uint32_t> selected_samples_;  // indices into the .fam
  std::vector<std::uint32_t> selected_variants_; // indices into the .bim
  bool all_samples_ = true;
  std::size_t next_ = 0;
  std::size_t bytes_per_variant_ = 0;
  const std::uint8_t* data_ = nullptr;  // the mapped .bed
  std::size_t mapped_size_ = 0;
};

}  // namespace kohort::genotype
