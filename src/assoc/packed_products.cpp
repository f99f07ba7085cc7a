#include "assoc/packed_products.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <new>

#include "assoc/packed_sums.h"
#include "core/parallel.h"

namespace kohort::assoc {
namespace {

using detail::entry_of_counts;
using detail::kBlockPairs;
using detail::kPairEntries;

// ALT count of a 2-bit code (00 hom ALT, 01 missing, 10 het, 11 hom REF); missing counts 0.
constexpr double kCount[4] = {2.0, 0.0, 1.0, 0.0};
constexpr double kSquare[4] = {4.0, 0.0, 1.0, 0.0};
constexpr std::size_t kPairsPerChunk = 64;  // with 8 doubles an entry, a 36 kB table slice per chunk
// Bytes of each row copied per batch of chunks: 256 keeps the copies of a task of a few thousand
// variants within the second-level cache (1,024 did not, and was 8-13% slower at 2 threads).
constexpr std::size_t kBatchBytes = 256;
constexpr std::uint64_t kLowBits = 0x5555555555555555ULL;  // the low bit of every 2-bit code
// Rows where an expected share of at least kSkipZeroPairs of the pairs have no ALT allele (the
// share of samples without one, squared) add only the other pairs' entries, for entries of at
// least kSkipZeroStride doubles. On 1000 Genomes allele frequencies (EUR subset, 19,928 samples,
// 20 phenotypes) that took 8% off the table sums; with narrow entries the extra work per entry
// ate the gain (bench_assoc_packed_products). The sums are the same bits either way.
constexpr double kSkipZeroPairs = 0.3;
constexpr std::size_t kSkipZeroStride = 24;

std::uint64_t load_whole_word(const std::uint8_t* row, std::size_t word) {
  std::uint64_t value;
  std::memcpy(&value, row + word * 8, 8);  // a fixed-size copy is one load
  return value;
}

std::uint64_t load_word(const std::uint8_t* row, std::size_t bytes, std::size_t word) {
  std::uint64_t value = 0;
  std::size_t offset = word * 8;
  std::memcpy(&value, row + offset, std::min<std::size_t>(8, bytes - offset));
  return value;
}

// Copies `size` bytes, or the `available` ones left at the end of a row; chunk pieces are 8, 16 or
// 32 bytes, copied with fixed-size copies (a call to memcpy per piece cost more than the copy).
void copy_piece(std::uint8_t* to, const std::uint8_t* from, std::size_t size, std::size_t available) {
  if (available < size) {
    std::memcpy(to, from, available);
    return;
  }
  switch (size) {
    case 8: std::memcpy(to, from, 8); break;
    case 16: std::memcpy(to, from, 16); break;
    case 32: std::memcpy(to, from, 32); break;
    default: std::memcpy(to, from, size);
  }
}

}  // namespace

PackedProducts::PackedProducts(const Eigen::MatrixXd& vectors, const std::vector<std::uint32_t>& positions, std::size_t file_samples,
                               const std::vector<bool>& squared)
    : file_samples_(file_samples),
      vectors_(static_cast<std::size_t>(vectors.cols())),
      planes_(std::none_of(squared.begin(), squared.end(), [](bool s) { return s; })),
      stride_(stride_for(vectors_, planes_)),
      pairs_((file_samples + 1) / 2) {
  if (!planes_) build_pair_tables(vectors, positions, squared);
  by_sample_.assign(file_samples * stride_, 0.0);
  for (std::size_t r = 0; r < positions.size(); ++r)
    for (std::size_t v = 0; v < vectors_; ++v) by_sample_[positions[r] * stride_ + v] = vectors(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(v));
  // The totals are summed in extended precision: a sparse sum with hom ALT common is hom ALT's
  // value times a total minus a small sum, and for a variant with a single carrier the genotype's
  // variance left after the intercept is a difference of two such numbers of order n. Summed in
  // doubles, the total of a constant-like vector such as the intercept's accumulates rounding
  // errors of the same sign: betas of singletons moved by 2e-8 relative against R's lm.
  totals_.assign(stride_, 0.0);
  for (std::size_t v = 0; v < vectors_; ++v) {
    long double total = 0;
    for (Eigen::Index r = 0; r < vectors.rows(); ++r) total += vectors(r, static_cast<Eigen::Index>(v));
    totals_[v] = static_cast<double>(total);
  }
  hom_alt_value_.assign(stride_, 0.0);
  code_weight_.assign(2 * 4 * stride_, 0.0);
  for (std::size_t v = 0; v < vectors_; ++v) {
    const double* value = squared[v] ? &kSquare[0] : &kCount[0];
    hom_alt_value_[v] = value[0];
    for (unsigned code = 0; code < 4; ++code) {
      code_weight_[(0 * 4 + code) * stride_ + v] = value[code];
      code_weight_[(1 * 4 + code) * stride_ + v] = value[0] - value[code];
    }
  }
  // A pair-table lookup covers two samples from a small, cache-resident slice, a bit-plane lookup
  // four; a sparse step covers one sample and reads its row from far away. Measured with
  // bench_assoc_packed_products (20,000 samples), the sparse sum is the cheaper below about one
  // sample in 20 off the common genotype with narrow pair entries (a minor allele frequency near
  // 2.5%), one in 10 with wide ones (5%); against bit planes, below about one in 50 (8 vectors) to
  // one in 30 (28). The limit does not depend on the width, one in 14 with pair tables and one in
  // 40 with bit planes: which path a row takes must not depend on how many phenotypes share the
  // table (the paths round differently), and whether a table has pairs or planes depends on the
  // model alone (logistic models square a vector).
  mask_ = sample_mask(positions, file_samples);
  samples_ = positions.size();
  sparse_limit_ = samples_ / (planes_ ? 40 : 14);
}

void PackedProducts::build_pair_tables(const Eigen::MatrixXd& vectors, const std::vector<std::uint32_t>& positions,
                                       const std::vector<bool>& squared) {
  const std::size_t entries = pairs_ * kPairEntries * stride_;
  table_.reset(static_cast<double*>(std::aligned_alloc(64, (entries * sizeof(double) + 63) / 64 * 64)));
  if (!table_) throw std::bad_alloc();
  std::fill(table_.get(), table_.get() + entries, 0.0);
  // Per sample of the file, its row in `vectors` (or none).
  const std::size_t file_samples = file_samples_;
  std::vector<std::int64_t> row_of(file_samples, -1);
  for (std::size_t r = 0; r < positions.size(); ++r) row_of[positions[r]] = static_cast<std::int64_t>(r);
  constexpr unsigned kCodeOfCount[3] = {3, 2, 0};
  for (std::size_t pair = 0; pair < pairs_; ++pair) {
    for (unsigned first = 0; first < 3; ++first) {
      for (unsigned second = 0; second < 3; ++second) {
        for (unsigned k = 0; k < 2; ++k) {
          std::size_t sample = 2 * pair + k;
          if (sample >= file_samples || row_of[sample] < 0) continue;
          unsigned code = kCodeOfCount[k == 0 ? first : second];
          for (std::size_t v = 0; v < vectors_; ++v) {
            const std::size_t slice = v / kSliceWidth, width = slice_width(slice);
            double* value = table_.get() + slice_offset(slice) + (pair * kPairEntries + entry_of_counts(first, second)) * width + v % kSliceWidth;
            *value += (squared[v] ? kSquare[code] : kCount[code]) * vectors(row_of[sample], static_cast<Eigen::Index>(v));
          }
        }
      }
    }
  }
}

std::size_t PackedProducts::slice_offset(std::size_t slice) const { return slice * pairs_ * kPairEntries * kSliceWidth; }

std::size_t PackedProducts::memory_bytes(std::size_t vectors, std::size_t file_samples, bool squared) {
  const std::size_t stride = stride_for(vectors, !squared), pairs = squared ? (file_samples + 1) / 2 : 0;
  // The pair tables, the by-sample copy, and the per-code weights and sample mask.
  return sizeof(double) * (pairs * kPairEntries * stride + file_samples * stride + 10 * stride) + file_samples / 4;
}

void PackedProducts::compute(const PackedBlock& block, std::size_t begin, std::size_t end, Eigen::MatrixXd& out, RowCalls& calls) const {
  const std::size_t count = end - begin;
  out.resize(static_cast<Eigen::Index>(vectors_), static_cast<Eigen::Index>(count));
  calls.counts.resize(count);
  calls.missing_end.resize(count);
  calls.missing_positions.clear();
  // Which genotype most of the vectors' samples have decides between the table sums and the
  // sparse sum; it depends on the row alone, so a variant's sums do not depend on the threads or
  // the block.
  std::vector<const std::uint8_t*> dense_rows, mostly_zero_rows;
  std::vector<std::size_t> dense_columns, mostly_zero_columns;
  std::vector<double> sums(stride_);
  std::vector<std::uint32_t> off_samples;
  for (std::size_t j = 0; j < count; ++j) {
    const std::uint8_t* row = block.rows[begin + j];
    const CallCounts counts = count_calls(row, mask_, file_samples_, calls.missing_positions);
    calls.counts[j] = counts;
    calls.missing_end[j] = calls.missing_positions.size();
    const std::size_t hom_alt = counts.hom_alt, zero = samples_ - counts.hom_alt - counts.het;  // zero: missing or hom REF
    const bool alt_major = hom_alt > zero;
    if (samples_ - std::max(hom_alt, zero) <= sparse_limit_) {
      compute_sparse(row, alt_major, off_samples, sums.data());
      for (std::size_t v = 0; v < vectors_; ++v) out(static_cast<Eigen::Index>(v), static_cast<Eigen::Index>(j)) = sums[v];
    } else if (!planes_ && stride_ >= kSkipZeroStride &&
               static_cast<double>(zero) * static_cast<double>(zero) >= kSkipZeroPairs * static_cast<double>(samples_) * static_cast<double>(samples_)) {
      mostly_zero_rows.push_back(row);
      mostly_zero_columns.push_back(j);
    } else {
      dense_rows.push_back(row);
      dense_columns.push_back(j);
    }
  }
  // Both ways give the same sums, so which rows take which does not change any result.
  const std::size_t mostly_zero_first = dense_rows.size();
  dense_rows.insert(dense_rows.end(), mostly_zero_rows.begin(), mostly_zero_rows.end());
  dense_columns.insert(dense_columns.end(), mostly_zero_columns.begin(), mostly_zero_columns.end());
  if (dense_rows.empty()) return;
  if (planes_) {
    compute_planes(dense_rows, sums);
  } else {
    compute_dense(dense_rows, mostly_zero_first, sums);
  }
  for (std::size_t d = 0; d < dense_rows.size(); ++d)
    for (std::size_t v = 0; v < vectors_; ++v)
      out(static_cast<Eigen::Index>(v), static_cast<Eigen::Index>(dense_columns[d])) = sums[d * stride_ + v];
}

namespace {

// Four doubles as one vector: one AVX2 register.
typedef double Vector4 __attribute__((vector_size(32)));

inline Vector4 load4(const double* p) {
  Vector4 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// One slice of Slice x 4 vectors of the sparse sum, in registers: out[v] = sum over the listed
// samples of weight(code)[v] * values(sample)[v].
template <std::size_t Slice>
void sparse_slice(const std::vector<std::uint32_t>& samples, const double* by_sample, const double* weights, std::size_t stride,
                  double* out) {
  Vector4 acc[Slice];
  for (auto& a : acc) a = Vector4{};
  for (std::size_t k = 0; k < samples.size(); ++k) {
    // The rows lie far apart: ask for the row a few samples ahead, not to wait for each in turn.
    if (k + 8 < samples.size()) {
      const double* ahead = by_sample + (samples[k + 8] >> 2) * stride;
      for (std::size_t line = 0; line < Slice * 4; line += 8) __builtin_prefetch(ahead + line);
    }
    const double* values = by_sample + (samples[k] >> 2) * stride;
    const double* weight = weights + (samples[k] & 3) * stride;
    for (std::size_t i = 0; i < Slice; ++i) acc[i] += load4(weight + 4 * i) * load4(values + 4 * i);
  }
  std::memcpy(out, acc, sizeof acc);
}

using SparseSlice = void (*)(const std::vector<std::uint32_t>&, const double*, const double*, std::size_t, double*);
constexpr SparseSlice kSparseSlices[8] = {sparse_slice<1>, sparse_slice<2>, sparse_slice<3>, sparse_slice<4>,
                                          sparse_slice<5>, sparse_slice<6>, sparse_slice<7>, sparse_slice<8>};

}  // namespace

void PackedProducts::compute_sparse(const std::uint8_t* row, bool alt_major, std::vector<std::uint32_t>& samples, double* out) const {
  // The samples off the common genotype, each as sample << 2 | code, in file order.
  samples.clear();
  const std::size_t bytes = (file_samples_ + 3) / 4, words = (file_samples_ + 31) / 32, whole_words = bytes / 8;
  for (std::size_t w = 0; w < words; ++w) {
    const std::uint64_t word = w < whole_words ? load_whole_word(row, w) : load_word(row, bytes, w);
    const std::uint64_t low = word & kLowBits, high = (word >> 1) & kLowBits;
    // With hom REF common, those counting above 0 (00, 10); with hom ALT common, all but 00; of
    // the vectors' samples only (the mask also ends at the row's last sample).
    std::uint64_t off = (alt_major ? (low | high) : ~low) & mask_[w] & kLowBits;
    while (off) {
      const int bit = std::countr_zero(off);
      off &= off - 1;
      samples.push_back(static_cast<std::uint32_t>((w * 32 + static_cast<std::size_t>(bit) / 2) << 2 | ((word >> bit) & 3)));
    }
  }
  const double* weights = code_weight_.data() + (alt_major ? 4 * stride_ : 0);
  for (std::size_t offset = 0; offset < stride_; offset += 32) {
    const std::size_t slice = std::min<std::size_t>(32, stride_ - offset) / 4;
    kSparseSlices[slice - 1](samples, by_sample_.data() + offset, weights + offset, stride_, out + offset);
  }
  if (alt_major)
    for (std::size_t v = 0; v < stride_; ++v) out[v] = hom_alt_value_[v] * totals_[v] - out[v];
}

void PackedProducts::compute_dense(const std::vector<const std::uint8_t*>& rows, std::size_t mostly_zero_first, std::vector<double>& sums) const {
  const std::size_t count = rows.size();
  sums.assign(count * stride_, 0.0);
  // Sample chunks outside, variants inside: the chunk's table slice is reused by every variant.
  // Entries wider than 32 doubles are summed in slices of up to 32 (what the registers hold).
  const std::size_t chunk_pairs = std::max(kBlockPairs, (kPairsPerChunk * 8 / stride_) / kBlockPairs * kBlockPairs);
  const std::size_t chunk_bytes = chunk_pairs / 2;
  const std::size_t row_bytes = (file_samples_ + 3) / 4;
  // The chunk's bytes of every variant are first copied next to each other, a batch of chunks at a
  // time. Read in place, each variant's few bytes of a chunk lie on a page of their own, and those
  // scattered loads, not the arithmetic, took two thirds of the time. Copying does not change the
  // sums.
  const std::size_t batch_chunks = std::max<std::size_t>(1, kBatchBytes / chunk_bytes);
  // Chunks lie a cache line more than their size apart: at a multiple of 4 kB, a row's pieces of all
  // chunks would fall into one cache set and evict each other while being copied.
  const std::size_t chunk_step = count * chunk_bytes + 64;
  std::vector<std::uint8_t> batch(std::min(batch_chunks, (pairs_ + chunk_pairs - 1) / chunk_pairs) * chunk_step);
  for (std::size_t batch_first = 0; batch_first < pairs_; batch_first += batch_chunks * chunk_pairs) {
    const std::size_t batch_end = std::min(pairs_, batch_first + batch_chunks * chunk_pairs);
    const std::size_t chunks = (batch_end - batch_first + chunk_pairs - 1) / chunk_pairs;
    const std::size_t piece_bytes = std::min(row_bytes, (batch_end + 1) / 2) - batch_first / 2;
    for (std::size_t j = 0; j < count; ++j) {
      // Each row's piece starts on a page of its own, where the hardware prefetcher does not follow.
      if (j + 2 < count)
        for (std::size_t b = 0; b < piece_bytes; b += 64) __builtin_prefetch(rows[j + 2] + batch_first / 2 + b);
      const std::uint8_t* row = rows[j];
      for (std::size_t c = 0; c < chunks; ++c) {
        const std::size_t offset = batch_first / 2 + c * chunk_bytes;
        copy_piece(batch.data() + c * chunk_step + j * chunk_bytes, row + offset, chunk_bytes, row_bytes - offset);
      }
    }
    for (std::size_t c = 0; c < chunks; ++c) {
      const std::size_t chunk = batch_first + c * chunk_pairs;
      const std::size_t chunk_end = std::min(pairs_, chunk + chunk_pairs);
      const std::uint8_t* chunk_rows = batch.data() + c * chunk_step;
      for (std::size_t slice = 0; slice * kSliceWidth < stride_; ++slice) {
        const std::size_t width = slice_width(slice);
        const double* table = table_.get() + slice_offset(slice);
        double* slice_sums = sums.data() + slice * kSliceWidth;
        // A narrow last slice of wide entries is summed whole: skipping pays with wide entries only.
        const std::size_t whole = width >= kSkipZeroStride ? mostly_zero_first : count;
        detail::accumulate_pair_sums(table, width, chunk_rows, chunk_bytes, whole, chunk, chunk_end, slice_sums, stride_);
        detail::accumulate_nonzero_pair_sums(table, width, chunk_rows + whole * chunk_bytes, chunk_bytes, count - whole, chunk, chunk_end,
                                             slice_sums + whole * stride_, stride_);
      }
    }
  }
}

void PackedProducts::compute_planes(const std::vector<const std::uint8_t*>& rows, std::vector<double>& sums) const {
  using detail::kPlaneBlockGroups;
  using detail::kPlaneBlockSamples;
  using detail::kPlaneBytes;
  using detail::kPlaneEntries;
  const std::size_t count = rows.size();
  sums.assign(count * stride_, 0.0);
  // Blocks of 64 samples outside, variants inside: a block's tables (8 x 256 entries, 512 kB with
  // 32 doubles an entry) stay in the second-level cache while every variant adds its entries, and
  // building them costs a few percent of the sums of a few thousand variants. The planes are
  // extracted a batch of 16 blocks (256 bytes of each row) at a time.
  constexpr std::size_t kBatchBlocks = 16;
  const std::size_t blocks = (file_samples_ + kPlaneBlockSamples - 1) / kPlaneBlockSamples;
  std::vector<std::uint8_t> planes(std::min(kBatchBlocks, blocks) * count * kPlaneBytes);
  const std::size_t table_doubles = kPlaneBlockGroups * kPlaneEntries * std::min(kSliceWidth, stride_);
  std::unique_ptr<double, FreeAligned> tables(static_cast<double*>(std::aligned_alloc(64, table_doubles * sizeof(double))));
  if (!tables) throw std::bad_alloc();
  for (std::size_t batch_first = 0; batch_first < blocks; batch_first += kBatchBlocks) {
    const std::size_t batch_blocks = std::min(kBatchBlocks, blocks - batch_first);
    detail::extract_planes(rows.data(), count, file_samples_, batch_first, batch_blocks, planes.data());
    for (std::size_t b = 0; b < batch_blocks; ++b) {
      for (std::size_t slice = 0; slice * kSliceWidth < stride_; ++slice) {
        const std::size_t width = slice_width(slice);
        detail::build_plane_tables(by_sample_.data(), stride_, slice * kSliceWidth, width, (batch_first + b) * kPlaneBlockSamples,
                                   file_samples_, tables.get());
        detail::accumulate_plane_sums(tables.get(), width, planes.data() + b * count * kPlaneBytes, count, sums.data() + slice * kSliceWidth,
                                      stride_);
      }
    }
  }
}

TableBatches batch_tables(const std::vector<std::pair<std::size_t, std::size_t>>& tables, std::size_t limit) {
  TableBatches result;
  std::size_t batch_bytes = 0;
  for (const auto& [index, bytes] : tables) {
    if (result.batches.empty() || batch_bytes + bytes > limit) {
      result.batches.emplace_back();
      batch_bytes = 0;
    }
    result.batches.back().push_back(index);
    batch_bytes += bytes;
    result.largest_bytes = std::max(result.largest_bytes, batch_bytes);
  }
  return result;
}

std::size_t packed_task_size(std::size_t count, std::size_t tasks_per_thread) {
  const std::size_t tasks = std::max<std::size_t>(1, static_cast<std::size_t>(thread_count()) * tasks_per_thread);
  return std::max<std::size_t>(32, (count + tasks - 1) / tasks);
}

std::vector<std::uint64_t> sample_mask(const std::vector<std::uint32_t>& positions, std::size_t file_samples) {
  std::vector<std::uint64_t> mask((file_samples + 31) / 32, 0);
  for (auto p : positions) mask[p / 32] |= std::uint64_t{3} << (2 * (p % 32));
  return mask;
}

CallCounts count_calls(const std::uint8_t* row, const std::vector<std::uint64_t>& mask, std::size_t file_samples,
                       std::vector<std::uint32_t>& missing_positions) {
  constexpr std::uint64_t kLow = 0x5555555555555555ULL;
  const std::size_t bytes = (file_samples + 3) / 4;
  CallCounts counts;
  const std::size_t whole_words = bytes / 8;  // words read without a bounds check
  for (std::size_t w = 0; w < mask.size(); ++w) {
    std::uint64_t word = w < whole_words ? load_whole_word(row, w) : load_word(row, bytes, w);
    word &= mask[w];
    std::uint64_t low = word & kLow, high = (word >> 1) & kLow;
    std::uint64_t in_set = mask[w] & kLow;
    std::uint64_t het = high & ~low;           // 10
    std::uint64_t hom_alt = ~high & ~low & in_set;  // 00
    std::uint64_t missing = low & ~high;       // 01
    counts.het += static_cast<std::uint32_t>(std::popcount(het));
    counts.hom_alt += static_cast<std::uint32_t>(std::popcount(hom_alt));
    counts.missing += static_cast<std::uint32_t>(std::popcount(missing));
    while (missing) {
      int bit = std::countr_zero(missing);
      missing_positions.push_back(static_cast<std::uint32_t>(w * 32 + static_cast<std::size_t>(bit) / 2));
      missing &= missing - 1;
    }
  }
  return counts;
}

}  // namespace kohort::assoc
