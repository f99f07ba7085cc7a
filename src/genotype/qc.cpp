#include "genotype/qc.h"

#include <algorithm>
#include <atomic>
#include <mutex>

#include "core/log.h"
#include "core/parallel.h"
#include "genotype/hwe.h"

namespace kohort::genotype {
namespace {

// Counts one chunk of variants into `result.variants` and chunk-local per-sample counters.
void count_chunk(GenotypeSource& source, std::size_t begin, std::size_t end, bool midp, QcResult& result,
                 std::vector<std::uint32_t>& sample_missing, std::vector<std::uint32_t>& sample_het) {
  const std::size_t n = source.sample_count();
  std::vector<std::int8_t> calls(n);
  for (std::size_t v = begin; v < end; ++v) {
    source.read_calls(v, 1, calls.data());
    std::uint32_t counts[4] = {0, 0, 0, 0};  // index call + 1: missing, 0, 1, 2
    std::uint32_t* missing = sample_missing.data();
    std::uint32_t* het = sample_het.data();
    for (std::size_t s = 0; s < n; ++s) {
      const std::int8_t c = calls[s];
      missing[s] += c == kMissingCall;
      het[s] += c == 1;
    }
    for (std::size_t s = 0; s < n; ++s) ++counts[calls[s] + 1];
    VariantQc& q = result.variants[v];
    q.missing = counts[0];
    q.hom_ref = counts[1];
    q.het = counts[2];
    q.hom_alt = counts[3];
    q.hwe_ln_p = hwe_exact_ln_p(q.hom_ref, q.het, q.hom_alt, midp);
  }
}

}  // namespace

QcResult compute_qc(GenotypeSource& source, bool hwe_midp) {
  const std::size_t n = source.sample_count();
  const std::size_t m = source.variant_count();
  QcResult result;
  result.variants.resize(m);
  std::vector<std::uint32_t> total_missing(n, 0), total_het(n, 0);
  std::mutex merge_mutex;
  std::atomic<std::size_t> done{0};
  Progress progress("qc", m, "variants");
  const std::size_t grain = std::max<std::size_t>(64, (1u << 22) / std::max<std::size_t>(n, 1));
  auto chunk = [&](std::size_t begin, std::size_t end) {
    std::vector<std::uint32_t> missing(n, 0), het(n, 0);
    count_chunk(source, begin, end, hwe_midp, result, missing, het);
    std::lock_guard<std::mutex> lock(merge_mutex);  // integer sums: order does not matter
    for (std::size_t s = 0; s < n; ++s) {
      total_missing[s] += missing[s];
      total_het[s] += het[s];
    }
    done += end - begin;
    progress.update(done);
  };
  if (source.concurrent_reads()) {
    parallel_for(m, grain, chunk);
  } else {
    for (std::size_t begin = 0; begin < m; begin += grain) chunk(begin, std::min(m, begin + grain));
  }
  progress.finish();
  result.samples.resize(n);
  for (std::size_t s = 0; s < n; ++s) {
    result.samples[s].missing = total_missing[s];
    result.samples[s].het = total_het[s];
    result.samples[s].observed = std::uint32_t(m) - total_missing[s];
  }
  return result;
}

}  // namespace kohort::genotype
