#include "genotype/source.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
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
  on_select_samples(selected_samples_);
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

void GenotypeSource::read_variant_packed(std::uint32_t file_variant, std::uint64_t* out) {
  // ALT count + 1 -> code: missing 01, 0 -> 11, 1 -> 10, 2 -> 00.
  static constexpr std::uint64_t kCode[4] = {1, 3, 2, 0};
  const std::size_t n = sample_count();
  thread_local std::vector<std::int8_t> calls;
  calls.resize(n);
  read_variant_calls(file_variant, calls.data());
  std::fill(out, out + packed_words(), 0);
  for (std::size_t s = 0; s < n; ++s) out[s / 32] |= kCode[calls[s] + 1] << (2 * (s % 32));
}

void GenotypeSource::read_variant_dosages(std::uint32_t file_variant, double* out) {
  const std::size_t n = sample_count();
  std::vector<std::int8_t> calls(n);
  read_variant_calls(file_variant, calls.data());
  for (std::size_t s = 0; s < n; ++s) {
    out[s] = calls[s] == kMissingCall ? std::numeric_limits<double>::quiet_NaN() : double(calls[s]);
  }
}

void GenotypeSource::read_dosages(std::size_t first, std::size_t count, double* out, const DosageOptions& options,
                                  DosageStats* stats) {
  if (first + count > selected_variants_.size()) throw Error("read_dosages past the last selected variant");
  const std::size_t n = sample_count();
  for (std::size_t v = 0; v < count; ++v) {
    double* column = out + v * n;
    read_variant_dosages(selected_variants_[first + v], column);
    double sum = 0;
    std::uint32_t observed = 0;
    for (std::size_t s = 0; s < n; ++s) {
      if (!std::isnan(column[s])) {
        sum += column[s];
        ++observed;
      }
    }
    const double mean = observed > 0 ? sum / observed : 0.0;
    double squares = 0;
    for (std::size_t s = 0; s < n; ++s) {
      if (!std::isnan(column[s])) squares += (column[s] - mean) * (column[s] - mean);
    }
    const double sd = observed > 0 ? std::sqrt(squares / observed) : 0.0;
    if (stats) stats[v] = DosageStats{mean, sd, observed};
    if (options.standardise) {
      const double scale = sd > 0 ? 1.0 / sd : 0.0;
      for (std::size_t s = 0; s < n; ++s) {
        if (std::isnan(column[s])) {
          if (options.mean_impute) column[s] = 0.0;
        } else {
          column[s] = (column[s] - mean) * scale;
        }
      }
    } else if (options.mean_impute) {
      for (std::size_t s = 0; s < n; ++s) {
        if (std::isnan(column[s])) column[s] = mean;
      }
    }
  }
}

}  // namespace kohort::genotype
