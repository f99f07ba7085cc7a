// Throughput of reading and decoding a PLINK .bed through the block interface, in GB/s of .bed
// data: hard calls (int8), packed calls (the QC path) and mean-imputed dosages (the GWAS path).
// The fileset (4,000 samples x 20,000 variants, 20 MB) is written once to the temporary directory.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "genotype/bed.h"

namespace {

constexpr std::size_t kSamples = 4000, kVariants = 20000, kBlock = 256;

const std::string& fileset() {
  static const std::string prefix = [] {
    const auto dir = std::filesystem::temp_directory_path() / "kohort_bench_genotype_decode";
    std::filesystem::create_directories(dir);
    const std::string p = (dir / "set").string();
    std::ofstream fam(p + ".fam"), bim(p + ".bim");
    for (std::size_t s = 0; s < kSamples; ++s) fam << "F" << s << " I" << s << " 0 0 1 -9\n";
    for (std::size_t v = 0; v < kVariants; ++v) bim << "1 rs" << v << " 0 " << v + 1 << " A G\n";
    std::ofstream bed(p + ".bed", std::ios::binary);
    bed.put(0x6c).put(0x1b).put(0x01);
    std::mt19937_64 rng(1);
    std::vector<char> bytes((kSamples + 3) / 4);
    for (std::size_t v = 0; v < kVariants; ++v) {
      for (auto& b : bytes) b = char(rng());
      bed.write(bytes.data(), std::streamsize(bytes.size()));
    }
    return p;
  }();
  return prefix;
}

void set_rate(benchmark::State& state) {
  state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(kVariants * ((kSamples + 3) / 4)));
}

void BM_BedCalls(benchmark::State& state) {
  auto source = kohort::genotype::open_bed(fileset());
  std::vector<std::int8_t> block(kSamples * kBlock);
  for (auto _ : state) {
    for (std::size_t first = 0; first < kVariants; first += kBlock) {
      source->read_calls(first, std::min(kBlock, kVariants - first), block.data());
      benchmark::DoNotOptimize(block.data());
    }
  }
  set_rate(state);
}
BENCHMARK(BM_BedCalls)->Unit(benchmark::kMillisecond);

void BM_BedPacked(benchmark::State& state) {
  auto source = kohort::genotype::open_bed(fileset());
  std::vector<std::uint64_t> block(source->packed_words() * kBlock);
  for (auto _ : state) {
    for (std::size_t first = 0; first < kVariants; first += kBlock) {
      source->read_packed_calls(first, std::min(kBlock, kVariants - first), block.data());
      benchmark::DoNotOptimize(block.data());
    }
  }
  set_rate(state);
}
BENCHMARK(BM_BedPacked)->Unit(benchmark::kMillisecond);

void BM_BedCallsSubset(benchmark::State& state) {
  auto source = kohort::genotype::open_bed(fileset());
  std::vector<std::uint32_t> half;
  for (std::uint32_t s = 0; s < kSamples; s += 2) half.push_back(s);
  source->select_samples(half);
  std::vector<std::int8_t> block(half.size() * kBlock);
  for (auto _ : state) {
    for (std::size_t first = 0; first < kVariants; first += kBlock) {
      source->read_calls(first, std::min(kBlock, kVariants - first), block.data());
      benchmark::DoNotOptimize(block.data());
    }
  }
  set_rate(state);
}
BENCHMARK(BM_BedCallsSubset)->Unit(benchmark::kMillisecond);

void BM_BedDosagesMeanImputed(benchmark::State& state) {
  auto source = kohort::genotype::open_bed(fileset());
  std::vector<double> block(kSamples * kBlock);
  for (auto _ : state) {
    for (std::size_t first = 0; first < kVariants; first += kBlock) {
      source->read_dosages(first, std::min(kBlock, kVariants - first), block.data(), {true, false});
      benchmark::DoNotOptimize(block.data());
    }
  }
  set_rate(state);
}
BENCHMARK(BM_BedDosagesMeanImputed)->Unit(benchmark::kMillisecond);

}  // namespace
