// Cost of a p-value: Student t at a biobank's degrees of freedom (20,000 samples, 6 covariates)
// for null statistics (standard normal), and the normal and chi-square p-values of the binary
// tests, all in log space. A 20-phenotype run computes two million of them per 100,000 variants.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "assoc/pvalue.h"

namespace {

std::vector<double> null_statistics() {
  std::mt19937_64 random(3);
  std::normal_distribution<double> normal;
  std::vector<double> values(4096);
  for (auto& v : values) v = normal(random);
  return values;
}

void BM_log_p_t(benchmark::State& state) {
  const std::vector<double> t = null_statistics();
  const double df = static_cast<double>(state.range(0));
  for (auto _ : state)
    for (double v : t) benchmark::DoNotOptimize(kohort::assoc::log_p_t(v, df));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * t.size()));
}
BENCHMARK(BM_log_p_t)->Arg(10)->Arg(1000)->Arg(19994)->Arg(1000000);

void BM_log_p_normal(benchmark::State& state) {
  const std::vector<double> z = null_statistics();
  for (auto _ : state)
    for (double v : z) benchmark::DoNotOptimize(kohort::assoc::log_p_normal(v));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * z.size()));
}
BENCHMARK(BM_log_p_normal);

}  // namespace
