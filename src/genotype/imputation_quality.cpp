#include "genotype/imputation_quality.h"

#include <algorithm>
#include <atomic>
#include <cmath>

#include "core/log.h"
#include "core/parallel.h"
#include "genotype/sex_chromosomes.h"
#include "genotype/source.h"

namespace kohort::genotype {

std::vector<double> compute_mach_r2(GenotypeSource& source) {
  const std::size_t n = source.sample_count(), m = source.variant_count();
  std::vector<double> r2(m, std::numeric_limits<double>::quiet_NaN());
  std::vector<bool> diploid(m);
  for (std::size_t v = 0; v < m; ++v) {
    const ChromosomeKind kind = chromosome_kind(source.variant(v).chrom);
    diploid[v] = kind == ChromosomeKind::autosome || kind == ChromosomeKind::pseudo_autosomal;
  }
  DosageOptions raw;
  raw.mean_impute = false;  // missing dosages stay NaN and are left out
  Progress progress("imputation quality", m, "variants");
  std::atomic<std::size_t> done{0};
  // Chunks of about 4 MB of dosages; each variant's sums are its own, so the threads change nothing.
  const std::size_t grain = std::max<std::size_t>(16, (std::size_t{1} << 19) / std::max<std::size_t>(n, 1));
  auto chunk = [&](std::size_t begin, std::size_t end) {
    std::vector<double> dosages(n * (end - begin));
    source.read_dosages(begin, end - begin, dosages.data(), raw);
    for (std::size_t v = begin; v < end; ++v) {
      if (!diploid[v]) continue;
      const double* column = dosages.data() + (v - begin) * n;
      double sum = 0, squares = 0, observed = 0;
      for (std::size_t i = 0; i < n; ++i) {
        if (std::isnan(column[i])) continue;
        sum += column[i];
        squares += column[i] * column[i];
        observed += 1;
      }
      r2[v] = mach_r2(sum, squares, observed);
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
  return r2;
}

}  // namespace kohort::genotype
