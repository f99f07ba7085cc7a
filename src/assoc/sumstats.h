#pragma once
// Summary statistics in GWAS-SSF v1.0 (the GWAS Catalog standard): a bgzip-compressed TSV sorted
// by chromosome and position, its tabix index, and the `<file>-meta.yaml` metadata file.
#include <cstdint>
#include <memory>
#include <string>

#include "assoc/result.h"
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

class SummaryStatisticsWriter {
 public:
  // `path` should end in .tsv.gz.
  SummaryStatisticsWriter(const std::string& path, bool binary, int threads);
  ~SummaryStatisticsWriter();

  void write(const genotype::Variant& variant, const VariantResult& result);
  // Completes the file, indexes it with tabix when sorted, and writes the metadata.
  void commit(const SummaryMetadata& metadata);

  std::uint64_t rows() const { return rows_; }

 private:
  std::string path_;
  bool binary_;
  std::unique_ptr<OutputFile> out_;
  std::uint64_t rows_ = 0;
  bool sorted_ = true;
  std::string last_chromosome_;
  std::int64_t last_position_ = 0;
  std::string seen_chromosomes_;  // "|1|2|..." to detect a chromosome coming back
};

}  // namespace kohort::assoc
