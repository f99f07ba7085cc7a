#pragma once
// Summary statistics in GWAS-SSF v1.0 (the GWAS Catalog standard): a bgzip-compressed TSV sorted
// by chromosome and position, its tabix index (built while writing), and the `<file>-meta.yaml`.
#include <cstdint>
#include <limits>
#include <memory>
#include <string>

#include "assoc/result.h"
#include "core/tabix_index.h"
#include "genotype/source.h"

namespace kohort {
class OutputFile;
}

namespace kohort::assoc {

struct SummaryMetadata {
  std::string trait_description;
  std::string genome_assembly = "unknown";
  std::string sample_ancestry = "unknown";
  std::string genotyping_technology = "unknown";
  std::uint64_t sample_size = 0;
  bool binary = false;
  std::uint64_t cases = 0, controls = 0;
};

// GWAS-SSF chromosome code: 1-22, X 23, Y 24, MT 25 (a leading "chr" is dropped).
std::string gwas_ssf_chromosome(const std::string& chromosome);

// The columns of a row that depend on the variant alone, formatted once for all phenotypes.
struct VariantColumns {
  std::string chromosome;  // GWAS-SSF code
  std::int64_t position = 0;
  std::string head;  // chromosome, base_pair_location, effect_allele, other_allele, each then a tab
  std::string ids;   // a tab, variant_id, a tab, rsid (NA unless the id is an rs number)
  // An effect allele frequency and its text, formatted once for the phenotypes that share it
  // (those of one set of samples); a row with another frequency formats its own.
  double frequency = std::numeric_limits<double>::quiet_NaN();
  std::string frequency_text;
};
VariantColumns variant_columns(const genotype::Variant& variant);
// Sets the shared frequency of `columns` (see VariantColumns::frequency).
void set_shared_frequency(VariantColumns& columns, double frequency);

// The columns a file has beyond GWAS-SSF's and kohort's own.
struct SummaryColumns {
  // A binary trait's: n_cases and n_controls, and with case_control_frequencies
  // effect_allele_frequency_cases and effect_allele_frequency_controls after them.
  bool binary = false;
  bool case_control_frequencies = false;
  // In (0, 1): ci_lower and ci_upper, beta -/+ z SE, z the standard normal quantile of
  // (1 + level) / 2, as plink2 --ci computes them for every model.
  double confidence_level = 0;
  // The last column, info: VariantResult::info, for dosages from imputation.
  bool info = false;
};

class SummaryStatisticsWriter {
 public:
  // `path` should end in .tsv.gz. One thread compresses: the tabix index is built from the block
  // addresses as rows are written, instead of reading the finished file back.
  SummaryStatisticsWriter(const std::string& path, const SummaryColumns& columns);
  ~SummaryStatisticsWriter();
  SummaryStatisticsWriter(const SummaryStatisticsWriter&) = delete;
  SummaryStatisticsWriter& operator=(const SummaryStatisticsWriter&) = delete;

  void write(const VariantColumns& variant, const VariantResult& result);
  void write(const genotype::Variant& variant, const VariantResult& result) { write(variant_columns(variant), result); }
  // Completes the file, indexes it with tabix when sorted, and writes the metadata.
  void commit(const SummaryMetadata& metadata);

  std::uint64_t rows() const { return rows_; }
  // Whether the rows came sorted by chromosome and position (and so got a tabix index).
  bool sorted() const { return sorted_; }

 private:
  void drop_index();

  std::string path_;
  bool binary_;
  bool case_control_frequencies_;
  double ci_z_ = 0;  // 0: no confidence interval columns
  bool info_column_ = false;
  std::unique_ptr<OutputFile> out_;
  std::uint64_t rows_ = 0;
  bool sorted_ = true;
  std::string last_chromosome_;
  std::int64_t last_position_ = 0;
  std::string seen_chromosomes_;  // "|1|2|..." to detect a chromosome coming back
  std::string pending_chromosome_;
  // The tabix index (equal to `tabix -s1 -b2 -e2 -S1`'s); dropped if rows are unsorted.
  std::unique_ptr<TabixIndex> index_;
  // The last row's index entry waits for the next row: the final one takes the offset after the
  // last block, as tabix reading the file would see it.
  struct IndexEntry {
    std::int64_t begin, end;
    std::uint64_t offset;
  };
  bool index_pending_ = false;
  IndexEntry pending_{};
  void push_pending(std::uint64_t offset);
};

}  // namespace kohort::assoc
