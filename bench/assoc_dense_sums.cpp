// Cost per variant of dense_sums, the linear models' products on decoded dosages (BGEN, VCF), for
// 20,000 samples and a task of 16 variants (what a thread takes at once) against 8, 32 or 208
// doubles of vectors per sample: 1, 20 or 200 phenotypes with an intercept and 5 covariates.
// Dosages are fractional, with 0.2% missing (NaN).
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <vector>

#include "assoc/dense_sums.h"

namespace {

constexpr std::size_t kSamples = 20000, kVariants = 16;

// Argument: the stride, doubles of vectors per sample (a multiple of 8).
void dense(benchmark::State& state) {
  const auto stride = static_cast<std::size_t>(state.range(0));
  std::mt19937_64 random(5);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<double> dosages(kSamples * kVariants), vectors(kSamples * stride);
  for (auto& d : dosages) d = unit(random) < 0.002 ? std::nan("") : 2.0 * unit(random);
  for (auto& v : vectors) v = unit(random) - 0.5;
  std::vector<const double*> columns(kVariants);
  for (std::size_t j = 0; j < kVariants; ++j) columns[j] = dosages.data() + j * kSamples;
  kohort::assoc::detail::DenseSums sums;
  for (auto _ : state) {
    kohort::assoc::detail::dense_sums(columns.data(), kVariants, nullptr, kSamples, vectors.data(), stride, sums);
    benchmark::DoNotOptimize(sums.products.data());
  }
  state.counters["us_per_variant"] =
      benchmark::Counter(static_cast<double>(kVariants) * 1e-6, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

}  // namespace

BENCHMARK(dense)->Arg(8)->Arg(32)->Arg(208)->Unit(benchmark::kMicrosecond);
