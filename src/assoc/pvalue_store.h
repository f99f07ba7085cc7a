#pragma once
// Every phenotype's p-values of a run, kept on disk until the run ends: lambda_GC (reported for
// every phenotype) and plink2's --adjust table (the tests sorted by p, with their adjusted
// p-values) need all of a phenotype's tests, and thousands of phenotypes' cannot stay in memory.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/scratch_file.h"

namespace kohort::assoc {

class PValueStore {
 public:
  // For `phenotypes` phenotypes, in a temporary file in `directory`; with `labels`, also each
  // variant's label, for adjusted tables.
  PValueStore(const std::filesystem::path& directory, std::size_t phenotypes, bool labels);
  ~PValueStore();
  PValueStore(const PValueStore&) = delete;
  PValueStore& operator=(const PValueStore&) = delete;

  // The next `count` variants, in order (one thread): returns where their p-values go, for record.
  std::uint64_t add_block(std::size_t count);
  // Phenotype `phenotype`'s natural-log p-values (NaN: no test) of the block at `block` (from
  // add_block) of `count` variants, and a class of each test (its frequency bin, say). Threads may
  // record different phenotypes at once.
  void record(std::uint64_t block, std::size_t count, std::size_t phenotype, const double* log_p, const std::uint8_t* classes) const;
  // The next variant's label: its first columns in an adjusted table, tab-separated (one thread,
  // in the variants' order; only with `labels`).
  void add_label(std::string_view label);

  // After the last record and label (one thread): makes the labels readable. log_p and
  // write_adjusted come after it, from any thread.
  void finish();

  // Phenotype `phenotype`'s natural-log p-values of every variant, in order.
  std::vector<double> log_p(std::size_t phenotype) const;
  // Their classes.
  std::vector<std::uint8_t> classes(std::size_t phenotype) const;
  // Writes the adjusted table of a phenotype's `log_p` (as log_p() gives them) to `path` (a .gz
  // name is BGZF-compressed): its tests with p at most exp(`log_p_filter`) (every test: +infinity),
  // sorted by p (ties in variant order), with their adjustments over all of its tests; genomic
  // control divides by `lambda`, and with `from_genomic_control` the other adjustments start from
  // its p-values (PValueAdjuster). Returns the rows written.
  std::uint64_t write_adjusted(const std::vector<double>& log_p, const std::string& path, double lambda, double log_p_filter,
                               bool from_genomic_control = false) const;

  // The header of an adjusted table.
  static const char* adjusted_header();

 private:
  struct Block {
    std::uint64_t offset;
    std::size_t count;
  };
  // A phenotype's values of every block, from the part of each block that
  // starts `section` bytes per variant in (0: the p-values; 8 x phenotypes: the classes).
  template <class Value>
  std::vector<Value> read_values(std::size_t phenotype, std::size_t section) const;
  std::size_t phenotypes_;
  ScratchFile values_;
  std::vector<Block> blocks_;
  std::uint64_t end_ = 0;
  // Labels: the text of all, and where each ends.
  std::unique_ptr<ScratchFile> labels_;
  std::string label_buffer_;
  std::uint64_t label_bytes_ = 0;  // written to labels_
  std::vector<std::uint64_t> label_end_;
  const char* label_map_ = nullptr;  // the labels' text, mapped by finish()
};

}  // namespace kohort::assoc
