#include "genotype/source.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <type_traits>
#include <utility>

#include "core/error.h"

namespace kohort::genotype {

GenotypeSource::GenotypeSource(std::string path, std::vector<Sample> samples, std::vector<Variant> variants)
    : path_(std::move(path)), samples_(std::move(samples)), variants_(std::move(variants)) {
  selected_samples_.resize(samples_.size());
  std::iota(selected_samples_.begin(), selected_samples_.end(), 0u);
  selected_variants_.resize(variants_.size());
  std::iota(selected_variants_.begin(), selected_variants_.end(), 0u);
}

void GenotypeSource::select_samples(std::vector<std::uint32_t> file_indexes) {
  for (auto index : file_indexes) {
    if (index >= samples_.size()) throw Error("sample index out of range in select_samples");
  }
  selected_samples_ = std::move(file_indexes);
  samples_in_file_order_ = selected_samples_.size() == samples_.size();
  for (std::size_t i = 0; samples_in_file_order_ && i < selected_samples_.size(); ++i) samples_in_file_order_ = selected_samples_[i] == i;
}

void GenotypeSource::select_variants(std::vector<std::uint32_t> file_indexes) {
  for (std::size_t i = 0; i < file_indexes.size(); ++i) {
    if (file_indexes[i] >= variants_.size() || (i > 0 && file_indexes[i] <= file_indexes[i - 1])) {
      throw Error("select_variants needs ascending indexes within the file");
    }
  }
  selected_variants_ = std::move(file_indexes);
}

void GenotypeSource::read_calls(std::size_t first, std::size_t count, std::int8_t* out) {
  if (first + count > selected_variants_.size()) throw Error("read_calls past the last selected variant");
  const std::size_t n = sample_count();
  for (std::size_t v = 0; v < count; ++v) read_variant_calls(selected_variants_[first + v], out + v * n);
}

void GenotypeSource::read_packed_calls(std::size_t first, std::size_t count, std::uint64_t* out) {
  if (first + count > selected_variants_.size()) throw Error("read_packed_calls past the last selected variant");
  const std::size_t words = packed_words();
  for (std::size_t v = 0; v < count; ++v) read_variant_packed(selected_variants_[first + v], out + v * words);
}

const std::uint8_t* GenotypeSource::packed_bytes(std::size_t i, std::uint64_t* scratch) {
  if (i >= selected_variants_.size()) throw Error("packed_bytes past the last selected variant");
  if (const std::uint8_t* view = packed_view(selected_variants_[i])) return view;
  read_variant_packed(selected_variants_[i], scratch);
  return reinterpret_cast<const std::uint8_t*>(scratch);
}

const std::uint8_t* GenotypeSource::packed_bytes_and_dosages(std::size_t i, std::uint64_t* scratch, double* dosages) {
  if (i >= selected_variants_.size()) throw Error("packed_bytes_and_dosages past the last selected variant");
  if (const std::uint8_t* view = packed_view(selected_variants_[i])) {
    read_variant_dosages(selected_variants_[i], dosages);
    return view;
  }
  read_variant_packed_and_dosages(selected_variants_[i], scratch, dosages);
  return reinterpret_cast<const std::uint8_t*>(scratch);
}

void GenotypeSource::pack_calls(const std::int8_t* calls, std::uint64_t* out) const {
  // ALT count + 1 -> code: missing 01, 0 -> 11, 1 -> 10, 2 -> 00.
  static constexpr std::uint64_t kCode[4] = {1, 3, 2, 0};
  const std::size_t n = sample_count();
  std::fill(out, out + packed_words(), 0);
  for (std::size_t s = 0; s < n; ++s) out[s / 32] |= kCode[calls[s] + 1] << (2 * (s % 32));
}

void GenotypeSource::read_variant_packed(std::uint32_t file_variant, std::uint64_t* out) {
  thread_local std::vector<std::int8_t> calls;
  calls.resize(sample_count());
  read_variant_calls(file_variant, calls.data());
  pack_calls(calls.data(), out);
}

void GenotypeSource::read_variant_dosages(std::uint32_t file_variant, double* out) {
  const std::size_t n = sample_count();
  std::vector<std::int8_t> calls(n);
  read_variant_calls(file_variant, calls.data());
  for (std::size_t s = 0; s < n; ++s) {
    out[s] = calls[s] == kMissingCall ? std::numeric_limits<double>::quiet_NaN() : double(calls[s]);
  }
}

namespace {

// Fills a column from hard calls through a 4-entry table (missing, 0, 1, 2): no branches per sample.
template <typename Real>
void dosages_from_calls(const std::int8_t* calls, std::size_t n, const DosageOptions& options, Real* column,
                        DosageStats* stats) {
  std::uint32_t counts[4] = {0, 0, 0, 0};
  for (std::size_t s = 0; s < n; ++s) ++counts[calls[s] + 1];
  const std::uint32_t observed = counts[1] + counts[2] + counts[3];
  const double sum = counts[2] + 2.0 * counts[3];
  const double mean = observed > 0 ? sum / observed : 0.0;
  double squares = 0;
  for (int c = 0; c < 3; ++c) squares += counts[c + 1] * (c - mean) * (c - mean);
  const double sd = observed > 0 ? std::sqrt(squares / observed) : 0.0;
  if (stats) *stats = DosageStats{mean, sd, observed};
  double table[4];
  const double missing = options.mean_impute ? mean : std::numeric_limits<double>::quiet_NaN();
  if (options.standardise) {
    const double scale = sd > 0 ? 1.0 / sd : 0.0;
    table[0] = options.mean_impute ? 0.0 : missing;
    for (int c = 0; c < 3; ++c) table[c + 1] = (c - mean) * scale;
  } else {
    table[0] = missing;
    for (int c = 0; c < 3; ++c) table[c + 1] = c;
  }
  const Real narrow[4] = {Real(table[0]), Real(table[1]), Real(table[2]), Real(table[3])};
  for (std::size_t s = 0; s < n; ++s) column[s] = narrow[calls[s] + 1];
}

void finish_dosages(std::size_t n, const DosageOptions& options, double* column, DosageStats* stats) {
  // Raw dosages without statistics (the GWAS engine's request): they stay as decoded. The passes
  // below would cost more than decoding an 8-bit BGEN block.
  if (!stats && !options.mean_impute && !options.standardise) return;
  double sum = 0;
  std::uint32_t observed = 0;
  for (std::size_t s = 0; s < n; ++s) {
    const bool present = column[s] == column[s];
    sum += present ? column[s] : 0.0;
    observed += present;
  }
  const double mean = observed > 0 ? sum / observed : 0.0;
  double squares = 0;
  for (std::size_t s = 0; s < n; ++s) {
    const double d = column[s] == column[s] ? column[s] - mean : 0.0;
    squares += d * d;
  }
  const double sd = observed > 0 ? std::sqrt(squares / observed) : 0.0;
  if (stats) *stats = DosageStats{mean, sd, observed};
  const double fill = options.mean_impute ? (options.standardise ? 0.0 : mean) : std::numeric_limits<double>::quiet_NaN();
  const double scale = options.standardise ? (sd > 0 ? 1.0 / sd : 0.0) : 1.0;
  const double shift = options.standardise ? mean : 0.0;
  for (std::size_t s = 0; s < n; ++s) {
    column[s] = column[s] == column[s] ? (column[s] - shift) * scale : fill;
  }
}

}  // namespace

template <typename Real>
void GenotypeSource::read_dosages_as(const std::uint32_t* file_variants, std::size_t count, Real* out, const DosageOptions& options,
                                     DosageStats* stats) {
  const std::size_t n = sample_count();
  if (!has_dosages()) {
    thread_local std::vector<std::int8_t> calls;
    calls.resize(n);
    for (std::size_t v = 0; v < count; ++v) {
      read_variant_calls(file_variants[v], calls.data());
      dosages_from_calls(calls.data(), n, options, out + v * n, stats ? stats + v : nullptr);
    }
    return;
  }
  thread_local std::vector<double> column;
  for (std::size_t v = 0; v < count; ++v) {
    double* target;
    if constexpr (std::is_same_v<Real, double>) {
      target = out + v * n;
    } else {
      column.resize(n);
      target = column.data();
    }
    read_variant_dosages(file_variants[v], target);
    finish_dosages(n, options, target, stats ? stats + v : nullptr);
    if constexpr (!std::is_same_v<Real, double>) {
      for (std::size_t s = 0; s < n; ++s) out[v * n + s] = Real(target[s]);
    }
  }
}

void GenotypeSource::read_dosages(std::size_t first, std::size_t count, double* out, const DosageOptions& options,
                                  DosageStats* stats) {
  if (first + count > selected_variants_.size()) throw Error("read_dosages past the last selected variant");
  read_dosages_as(selected_variants_.data() + first, count, out, options, stats);
}

void GenotypeSource::read_dosages(std::size_t first, std::size_t count, float* out, const DosageOptions& options,
                                  DosageStats* stats) {
  if (first + count > selected_variants_.size()) throw Error("read_dosages past the last selected variant");
  read_dosages_as(selected_variants_.data() + first, count, out, options, stats);
}

void GenotypeSource::read_file_variant_dosages(std::uint32_t file_variant, double* out, const DosageOptions& options) {
  if (file_variant >= variants_.size()) throw Error("read_file_variant_dosages past the file's last variant");
  read_dosages_as(&file_variant, 1, out, options, nullptr);
}

}  // namespace kohort::genotype
