// Cost per variant of PackedProducts::compute, the association products straight from .bed codes,
// for 20,000 samples and 8, 16 or 28 vectors (1, 10 or 20 phenotypes with an intercept and 5
// covariates; 106 and 406 for 100 and 400 phenotypes), at a given minor allele frequency: the
// bit-plane sums for common variants, the sparse sum over the samples off the common genotype for
// rare ones. Half the variants have ALT as the common allele. `squared` 1 squares the last vector's
// counts, as the logistic models ask (its second-plane tables are then tripled copies).
#include <benchmark/benchmark.h>

#include <Eigen/Core>
#include <random>
#include <vector>

#include "assoc/packed_products.h"

namespace {

constexpr std::size_t kSamples = 20000, kVariants = 2048;

// Rows of codes with allele frequency `maf` (for ALT or REF in turn), 0.2% missing calls.
std::vector<std::vector<std::uint8_t>> rows_at(double maf) {
  std::mt19937_64 random(11);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<std::vector<std::uint8_t>> rows(kVariants, std::vector<std::uint8_t>((kSamples + 3) / 4, 0));
  for (std::size_t v = 0; v < kVariants; ++v) {
    const double alt = v % 2 ? maf : 1 - maf;
    for (std::size_t s = 0; s < kSamples; ++s) {
      const int count = (unit(random) < alt) + (unit(random) < alt);
      unsigned code = count == 2 ? 0 : count == 1 ? 2 : 3;
      if (unit(random) < 0.002) code = 1;
      rows[v][s / 4] = static_cast<std::uint8_t>(rows[v][s / 4] | (code << (2 * (s % 4))));
    }
  }
  return rows;
}

// Arguments: vectors, minor allele frequency in units of 0.001, last vector squared (0 or 1).
void products(benchmark::State& state) {
  const bool last_squared = state.range(2) != 0;
  const auto width = static_cast<Eigen::Index>(state.range(0));
  const auto rows = rows_at(static_cast<double>(state.range(1)) / 1000.0);
  std::vector<std::uint32_t> positions(kSamples);
  for (std::size_t s = 0; s < kSamples; ++s) positions[s] = static_cast<std::uint32_t>(s);
  const Eigen::MatrixXd vectors = Eigen::MatrixXd::Random(static_cast<Eigen::Index>(kSamples), width);
  std::vector<bool> squared(static_cast<std::size_t>(width), false);
  squared.back() = last_squared;
  kohort::assoc::PackedProducts table(vectors, positions, kSamples, squared);
  kohort::assoc::PackedBlock block;
  block.file_samples = kSamples;
  for (auto& row : rows) block.rows.push_back(row.data());
  Eigen::MatrixXd out;
  kohort::assoc::RowCalls calls;
  for (auto _ : state) {
    table.compute(block, 0, kVariants, out, calls);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["us_per_variant"] =
      benchmark::Counter(static_cast<double>(kVariants) * 1e-6, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

}  // namespace

BENCHMARK(products)
    ->ArgsProduct({{8, 16, 28}, {1, 5, 10, 20, 30, 40, 60, 100, 300}, {0, 1}})
    ->ArgNames({"vectors", "maf_per_mille", "squared"})
    ->Unit(benchmark::kMillisecond);
// Many phenotypes: 100 and 400 with the intercept and 5 covariates, common variants.
BENCHMARK(products)
    ->ArgsProduct({{106, 406}, {300}, {0, 1}})
    ->ArgNames({"vectors", "maf_per_mille", "squared"})
    ->Unit(benchmark::kMillisecond);
