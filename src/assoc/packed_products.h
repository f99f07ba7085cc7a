#pragma once
// Dot products of many variants' PLINK 2-bit genotype codes with a few sample vectors, computed
// from the codes directly, without decoding N doubles and a matrix product: a row's samples with
// at least one ALT allele and those with two are read as bit planes, and each byte of a plane (8
// samples) indexes a table of the sums of the vectors over every subset of those samples, built
// per block of 64 samples. Rare variants, where nearly every sample has the same genotype, are
// summed over the few samples that differ instead. Missing calls contribute 0. A vector's sums are
// the same bits whatever other vectors share the table, so a phenotype's results do not depend on
// the phenotypes run with it.
#include <Eigen/Core>
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "assoc/result.h"

namespace kohort::assoc {

// A block of variants as .bed rows over all samples of the file.
struct PackedBlock {
  std::vector<const std::uint8_t*> rows;
  std::size_t file_samples = 0;
};

// Per-variant counts among a set of samples, and the samples with missing calls.
struct CallCounts {
  std::uint32_t het = 0, hom_alt = 0, missing = 0;
};

// Each row's calls among the vectors' samples, counted in the pass that chooses how its products
// are summed: the models need them, and a second pass over the rows cost a tenth of a run.
struct RowCalls {
  std::vector<CallCounts> counts;                // one per row
  std::vector<std::uint32_t> missing_positions;  // .bed columns of missing calls, row after row
  std::vector<std::size_t> missing_end;          // where each row's missing calls end

  // Row j's missing calls (j counted from the first row computed).
  std::span<const std::uint32_t> missing(std::size_t j) const {
    const std::size_t first = j ? missing_end[j - 1] : 0;
    return {missing_positions.data() + first, missing_end[j] - first};
  }
};

class PackedProducts {
 public:
  // vectors: samples x V, rows indexed by `positions` (the .bed column of each row);
  // `squared[v]` uses the squared ALT count instead of the count for vector v.
  PackedProducts(const Eigen::MatrixXd& vectors, const std::vector<std::uint32_t>& positions, std::size_t file_samples,
                 const std::vector<bool>& squared);

  // Bytes a PackedProducts of `vectors` vectors over a file of `file_samples` samples holds (its copy
  // of the vectors, 8 bytes per sample and vector, from which each task builds its block tables):
  // callers with many phenotypes keep their tables within a memory limit with it.
  static std::size_t memory_bytes(std::size_t vectors, std::size_t file_samples);

  std::size_t vector_count() const { return vectors_; }
  // The vectors' values of the sample in .bed column `position` (vector_count() doubles; zeros for a
  // sample outside the vectors' set): callers need no copy of their own.
  const double* sample_vectors(std::uint32_t position) const { return by_sample_.data() + std::size_t{position} * stride_; }
  // Doubles from one sample's vectors to the next's (vector_count() rounded up to a multiple of 8,
  // zeros past the vectors).
  std::size_t vector_stride() const { return stride_; }
  // out: V x count, out(v, j) = sum_i value(code_ij) * vectors(i, v) for rows[begin + j], and
  // `calls` those rows' calls among the vectors' samples.
  void compute(const PackedBlock& block, std::size_t begin, std::size_t end, Eigen::MatrixXd& out, RowCalls& calls) const;

 private:
  // The bit-plane sums of `rows`, stride_ doubles per row into `sums`.
  void compute_planes(const std::vector<const std::uint8_t*>& rows, std::vector<double>& sums) const;
  // The sums of one row over its samples whose genotype is not the row's most common one
  // (`samples` is scratch space).
  void compute_sparse(const std::uint8_t* row, bool alt_major, std::vector<std::uint32_t>& samples, double* out) const;

  // Vectors rounded up to a multiple of 8: tables are summed in slices of 8, 16, 24 or 32 doubles,
  // whole 8-double registers and cache lines.
  static std::size_t stride_for(std::size_t vectors) { return (vectors + 7) / 8 * 8; }
  // Entries wider than the registers hold are built and summed in slices of up to 32 doubles (a
  // block's tables of a slice, 512 kB, fill half the second-level cache).
  static constexpr std::size_t kSliceWidth = 32;
  std::size_t slice_width(std::size_t slice) const { return std::min(kSliceWidth, stride_ - slice * kSliceWidth); }
  struct FreeAligned {
    void operator()(double* p) const { std::free(p); }
  };

  std::size_t file_samples_ = 0;
  std::size_t vectors_ = 0;
  std::size_t stride_ = 0;
  // Per vector, what a sample's second-plane bit (two ALT alleles) adds beyond its first: 1 for
  // counts, 3 for squared counts.
  std::vector<double> two_factor_;
  bool any_squared_ = false;
  // For rare variants: each file sample's vector values (stride_ doubles, zero outside the set),
  // their totals, and per code the weight of a sample's row: its value (count or square), or,
  // when hom ALT is the common genotype, what it falls short of hom ALT's (the sum is then hom
  // ALT's value times the totals minus the weighted rows).
  std::vector<double> by_sample_, totals_, hom_alt_value_;
  std::vector<double> code_weight_;  // [hom ALT is common][code][stride_]
  std::size_t sparse_limit_ = 0;     // most samples off the common genotype for the sparse sum
  std::vector<std::uint64_t> mask_;  // the vectors' samples, as sample_mask() gives them
  std::size_t samples_ = 0;          // how many they are
};

// Tables grouped, in order, into batches whose PackedProducts::memory_bytes add up to at most
// `limit` (a table larger than the limit is a batch of its own): the tables a model holds at once.
struct TableBatches {
  std::vector<std::vector<std::size_t>> batches;  // each batch's tables, as the caller's indices
  std::size_t largest_bytes = 0;                  // the most bytes a batch holds
};
// `tables`: (index, bytes) of each table, in order.
TableBatches batch_tables(const std::vector<std::pair<std::size_t, std::size_t>>& tables, std::size_t limit);

// Variants per parallel task for PackedProducts::compute over `count` variants: each task streams
// the whole table through the cache once, so tasks are few and large (about `tasks_per_thread`
// per thread). A variant's sums do not depend on how variants are split into tasks.
std::size_t packed_task_size(std::size_t count, std::size_t tasks_per_thread);

// Bit mask (2 bits per sample, like a .bed row) of the samples in a set; used to count calls.
std::vector<std::uint64_t> sample_mask(const std::vector<std::uint32_t>& positions, std::size_t file_samples);

// Writes to `out` the `bytes` bytes of a .bed row recoded so that each call's ALT count c reads
// as the model's: dominant min(c, 1) (hom ALT becomes het), recessive max(c - 1, 0) (het becomes
// hom REF, hom ALT het); missing calls stay missing. Products and counts of the recoded row are
// then those of the recoded dosages. `model` is dominant or recessive.
void recode_row(const std::uint8_t* row, std::size_t bytes, GeneticModel model, std::uint8_t* out);

// Counts calls of a .bed row among the samples in `mask`, and appends the .bed columns of
// samples with missing calls to `missing_positions`.
CallCounts count_calls(const std::uint8_t* row, const std::vector<std::uint64_t>& mask, std::size_t file_samples,
                       std::vector<std::uint32_t>& missing_positions);
// The same counts, without the missing calls' columns.
CallCounts count_calls(const std::uint8_t* row, const std::vector<std::uint64_t>& mask, std::size_t file_samples);

}  // namespace kohort::assoc
