#include "assoc/packed_products.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <new>
#include <stdexcept>

#include "assoc/packed_sums.h"
#include "core/parallel.h"

namespace kohort::assoc {
namespace {

// ALT count of a 2-bit code (00 hom ALT, 01 missing, 10 het, 11 hom REF); missing counts 0.
constexpr double kCount[4] = {2.0, 0.0, 1.0, 0.0};
constexpr double kSquare[4] = {4.0, 0.0, 1.0, 0.0};
constexpr std::uint64_t kLowBits = 0x5555555555555555ULL;  // the low bit of every 2-bit code

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

}  // namespace

PackedProducts::PackedProducts(const Eigen::MatrixXd& vectors, const std::vector<std::uint32_t>& positions, std::size_t file_samples,
                               const std::vector<bool>& squared)
    : file_samples_(file_samples), vectors_(static_cast<std::size_t>(vectors.cols())), stride_(stride_for(vectors_)) {
  two_factor_.assign(stride_, 1.0);
  for (std::size_t v = 0; v < vectors_; ++v) {
    if (!squared[v]) continue;
    two_factor_[v] = 3.0;  // a squared count is the first plane's bit plus 3 x the second's
    any_squared_ = true;
  }
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
  // A bit-plane lookup covers four samples from tables in the second-level cache; a sparse step
  // covers one sample and reads its row from far away. Measured with bench_assoc_packed_products
  // (20,000 samples), the sparse sum is the cheaper below about one sample in 50 off the common
  // genotype with 8 vectors, one in 30 with 28. The limit does not depend on the width, one in 40
  // for all: which path a row takes must not depend on how many phenotypes share the table (the
  // two paths round differently).
  mask_ = sample_mask(positions, file_samples);
  samples_ = positions.size();
  sparse_limit_ = samples_ / 40;
}

std::size_t PackedProducts::memory_bytes(std::size_t vectors, std::size_t file_samples) {
  const std::size_t stride = stride_for(vectors);
  // The by-sample copy, the totals, per-code weights and factors, and the sample mask.
  return sizeof(double) * (file_samples * stride + 11 * stride) + file_samples / 4;
}

void PackedProducts::compute(const PackedBlock& block, std::size_t begin, std::size_t end, Eigen::MatrixXd& out, RowCalls& calls) const {
  const std::size_t count = end - begin;
  out.resize(static_cast<Eigen::Index>(vectors_), static_cast<Eigen::Index>(count));
  calls.counts.resize(count);
  calls.missing_end.resize(count);
  calls.missing_positions.clear();
  // Which genotype most of the vectors' samples have decides between the bit-plane sums and the
  // sparse sum; it depends on the row alone, so a variant's sums do not depend on the threads or
  // the block.
  std::vector<const std::uint8_t*> dense_rows;
  std::vector<std::size_t> dense_columns;
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
    } else {
      dense_rows.push_back(row);
      dense_columns.push_back(j);
    }
  }
  if (dense_rows.empty()) return;
  compute_planes(dense_rows, sums);
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
  // extracted a batch of 16 blocks (256 bytes of each row) at a time: read in place, each row's few
  // bytes of a block lie on a page of their own, and those loads, not the sums, took most of the
  // time when the pair tables read them so.
  constexpr std::size_t kBatchBlocks = 16;
  const std::size_t blocks = (file_samples_ + kPlaneBlockSamples - 1) / kPlaneBlockSamples;
  std::vector<std::uint8_t> planes(std::min(kBatchBlocks, blocks) * count * kPlaneBytes);
  const std::size_t table_doubles = kPlaneBlockGroups * kPlaneEntries * std::min(kSliceWidth, stride_);
  auto allocate = [&] {
    std::unique_ptr<double, FreeAligned> tables(static_cast<double*>(std::aligned_alloc(64, table_doubles * sizeof(double))));
    if (!tables) throw std::bad_alloc();
    return tables;
  };
  const auto tables = allocate();
  // With squared counts, the second plane indexes tables whose squared lanes are tripled: which
  // slices have such lanes.
  const auto two_tables = any_squared_ ? allocate() : nullptr;
  std::vector<bool> tripled((stride_ + kSliceWidth - 1) / kSliceWidth);
  for (std::size_t slice = 0; slice < tripled.size(); ++slice) {
    const double* factor = two_factor_.data() + slice * kSliceWidth;
    tripled[slice] = std::any_of(factor, factor + slice_width(slice), [](double f) { return f != 1.0; });
  }
  for (std::size_t batch_first = 0; batch_first < blocks; batch_first += kBatchBlocks) {
    const std::size_t batch_blocks = std::min(kBatchBlocks, blocks - batch_first);
    detail::extract_planes(rows.data(), count, file_samples_, batch_first, batch_blocks, planes.data());
    for (std::size_t b = 0; b < batch_blocks; ++b) {
      for (std::size_t slice = 0; slice < tripled.size(); ++slice) {
        const std::size_t offset = slice * kSliceWidth, width = slice_width(slice);
        detail::build_plane_tables(by_sample_.data(), stride_, offset, width, (batch_first + b) * kPlaneBlockSamples, file_samples_,
                                   tables.get());
        if (tripled[slice]) {
          const double* factor = two_factor_.data() + offset;
          const std::size_t entries = kPlaneBlockGroups * kPlaneEntries;
          for (std::size_t e = 0; e < entries; ++e)
            for (std::size_t i = 0; i < width; ++i) two_tables.get()[e * width + i] = factor[i] * tables.get()[e * width + i];
        }
        detail::accumulate_plane_sums(tables.get(), tripled[slice] ? two_tables.get() : tables.get(), width,
                                      planes.data() + b * count * kPlaneBytes, count, sums.data() + offset, stride_);
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

namespace {

// A word of 2-bit codes (high bit, low bit): 00 hom ALT, 10 het, 01 missing, 11 hom REF. Both
// codings set the high bit of hom ALT (00 -> 10, a missing call's 01 keeps it clear); recessive
// also sets the low bit of het (10 -> 11).
std::uint64_t recode_word(std::uint64_t word, GeneticModel model) {
  const std::uint64_t low = word & kLowBits, high = (word >> 1) & kLowBits;
  const std::uint64_t new_high = high | (~low & kLowBits);
  const std::uint64_t new_low = model == GeneticModel::recessive ? low | high : low;
  return new_low | (new_high << 1);
}

}  // namespace

void recode_row(const std::uint8_t* row, std::size_t bytes, GeneticModel model, std::uint8_t* out) {
  if (model == GeneticModel::additive) throw std::logic_error("recode_row: the additive coding is the row itself");
  std::size_t offset = 0;
  for (; offset + 8 <= bytes; offset += 8) {
    std::uint64_t word;
    std::memcpy(&word, row + offset, 8);
    word = recode_word(word, model);
    std::memcpy(out + offset, &word, 8);
  }
  if (offset < bytes) {
    std::uint64_t word = 0;
    std::memcpy(&word, row + offset, bytes - offset);
    word = recode_word(word, model);
    std::memcpy(out + offset, &word, bytes - offset);
  }
}

namespace {

// count_calls, with the .bed columns of missing calls appended to `missing_positions` unless null.
CallCounts count_calls_in(const std::uint8_t* row, const std::vector<std::uint64_t>& mask, std::size_t file_samples,
                          std::vector<std::uint32_t>* missing_positions) {
  const std::size_t bytes = (file_samples + 3) / 4;
  const std::size_t whole_words = std::min(bytes / 8, mask.size());  // words read without a bounds check
  std::uint64_t het = 0, hom_alt = 0, missing = 0;
  auto count_word = [&](std::uint64_t word, std::size_t w) {
    const std::uint64_t in_set = mask[w] & kLowBits;
    const std::uint64_t low = word & in_set, high = (word >> 1) & in_set;
    het += static_cast<std::uint64_t>(std::popcount(high & ~low));             // 10
    hom_alt += static_cast<std::uint64_t>(std::popcount(in_set & ~(low | high)));  // 00
    std::uint64_t missing_bits = low & ~high;                                   // 01
    if (!missing_bits) return;
    missing += static_cast<std::uint64_t>(std::popcount(missing_bits));
    if (!missing_positions) return;
    do {
      const int bit = std::countr_zero(missing_bits);
      missing_positions->push_back(static_cast<std::uint32_t>(w * 32 + static_cast<std::size_t>(bit) / 2));
      missing_bits &= missing_bits - 1;
    } while (missing_bits);
  };
  std::size_t w = 0;
  for (; w < whole_words; ++w) count_word(load_whole_word(row, w), w);
  for (; w < mask.size(); ++w) count_word(load_word(row, bytes, w), w);
  return {static_cast<std::uint32_t>(het), static_cast<std::uint32_t>(hom_alt), static_cast<std::uint32_t>(missing)};
}

}  // namespace

CallCounts count_calls(const std::uint8_t* row, const std::vector<std::uint64_t>& mask, std::size_t file_samples,
                       std::vector<std::uint32_t>& missing_positions) {
  return count_calls_in(row, mask, file_samples, &missing_positions);
}

CallCounts count_calls(const std::uint8_t* row, const std::vector<std::uint64_t>& mask, std::size_t file_samples) {
  return count_calls_in(row, mask, file_samples, nullptr);
}

}  // namespace kohort::assoc
