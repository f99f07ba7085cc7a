#include "genotype/qc.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>

#include "core/error.h"
#include "core/log.h"
#include "core/parallel.h"
#include "genotype/hwe.h"
#include "genotype/imputation_quality.h"

namespace kohort::genotype {
namespace {

constexpr std::uint64_t kLowBits = 0x5555555555555555ull;   // the low bit of every 2-bit call
constexpr std::uint64_t kNibbleBit = 0x1111111111111111ull; // bit 0 of every 4-bit counter
constexpr std::uint64_t kByteLow = 0x0F0F0F0F0F0F0F0Full;

// The popcnt instruction (every x86-64 CPU since 2008) without building all of kohort for it.
#if defined(__x86_64__)
#define KOHORT_POPCNT __attribute__((target("popcnt")))
#else
#define KOHORT_POPCNT
#endif

KOHORT_POPCNT inline unsigned popcount(std::uint64_t x) {
  return unsigned(__builtin_popcountll(x));
}

// Per-sample counts of one flag (missing, het) over many variants, kept "vertically": each packed
// word's 32 one-bit flags are added into 4-bit counters (flushed every 15 variants) and those into
// 8-bit counters (flushed every 255 variants) before reaching the 32-bit totals.
class VerticalCounter {
 public:
  explicit VerticalCounter(std::size_t words) : nibbles_(2 * words, 0), bytes_(4 * words, 0) {}

  // `flags` has the flag of sample j of word w at bit 2j (the low bit of its call).
  void add(std::size_t w, std::uint64_t flags) {
    nibbles_[2 * w] += flags & kNibbleBit;             // samples 0, 2, 4, ... of the word
    nibbles_[2 * w + 1] += (flags >> 2) & kNibbleBit;  // samples 1, 3, 5, ...
  }
  // Call after every variant: flushes the narrow counters before they can overflow.
  void variant_done(std::uint32_t* totals, std::size_t samples) {
    if (++since_nibble_flush_ == 15) flush_nibbles();
    if (++since_byte_flush_ == 255) flush_bytes(totals, samples);
  }
  void finish(std::uint32_t* totals, std::size_t samples) {
    flush_nibbles();
    flush_bytes(totals, samples);
  }

 private:
  void flush_nibbles() {
    for (std::size_t w = 0; w < nibbles_.size() / 2; ++w) {
      const std::uint64_t even = nibbles_[2 * w], odd = nibbles_[2 * w + 1];
      bytes_[4 * w] += even & kByteLow;             // byte b: sample 4b
      bytes_[4 * w + 1] += (even >> 4) & kByteLow;  // sample 4b + 2
      bytes_[4 * w + 2] += odd & kByteLow;          // sample 4b + 1
      bytes_[4 * w + 3] += (odd >> 4) & kByteLow;   // sample 4b + 3
      nibbles_[2 * w] = nibbles_[2 * w + 1] = 0;
    }
    since_nibble_flush_ = 0;
  }
  void flush_bytes(std::uint32_t* totals, std::size_t samples) {
    static constexpr unsigned kOffset[4] = {0, 2, 1, 3};
    for (std::size_t w = 0; w < bytes_.size() / 4; ++w) {
      for (unsigned k = 0; k < 4; ++k) {
        std::uint64_t counts = bytes_[4 * w + k];
        for (unsigned b = 0; b < 8 && counts != 0; ++b, counts >>= 8) {
          const std::size_t s = 32 * w + 4 * b + kOffset[k];
          if (s < samples) totals[s] += std::uint32_t(counts & 0xFF);
        }
        bytes_[4 * w + k] = 0;
      }
    }
    since_byte_flush_ = 0;
  }

  std::vector<std::uint64_t> nibbles_, bytes_;
  unsigned since_nibble_flush_ = 0, since_byte_flush_ = 0;
};

struct Tally {
  unsigned missing = 0, het = 0, hom_ref = 0;
};

// Adds one packed word (32 calls) to the variant's tally and the per-sample counters.
KOHORT_POPCNT inline void count_word(std::size_t w, std::uint64_t x, Tally& tally, VerticalCounter& missing_counter,
                                     VerticalCounter& het_counter) {
  const std::uint64_t low = x & kLowBits, high = (x >> 1) & kLowBits;
  const std::uint64_t is_missing = low & ~high, is_het = high & ~low;
  tally.missing += popcount(is_missing);
  tally.het += popcount(is_het);
  tally.hom_ref += popcount(low & high);
  missing_counter.add(w, is_missing);
  het_counter.add(w, is_het);
}

// A variant of chrX, chrY or MT (a small share of them), call by call with each sample's sex.
void count_by_sex(const std::uint8_t* packed, const std::vector<Sex>& sexes, ChromosomeKind kind, bool midp, VariantQc& q,
                  std::vector<std::uint32_t>& sample_missing, std::vector<std::uint32_t>& sample_het) {
  enum { kHomAlt = 0, kMissing = 1, kHet = 2, kHomRef = 3 };  // the .bed codes, ALT = A1
  std::uint32_t counts[3][4] = {};                            // [sex][code]
  for (std::size_t s = 0; s < sexes.size(); ++s) {
    const Sex sex = sexes[s];
    if (kind == ChromosomeKind::y && sex != Sex::male) continue;  // chrY: males only
    const unsigned code = (packed[s >> 2] >> (2 * (s & 3))) & 3;
    ++counts[static_cast<unsigned>(sex)][code];
    sample_missing[s] += code == kMissing;
    sample_het[s] += code == kHet;
  }
  q = VariantQc{};
  for (unsigned sex = 0; sex < 3; ++sex) {
    const std::uint32_t* c = counts[sex];
    q.hom_alt += c[kHomAlt];
    q.missing += c[kMissing];
    q.het += c[kHet];
    q.hom_ref += c[kHomRef];
    const bool haploid = kind != ChromosomeKind::x || sex == static_cast<unsigned>(Sex::male);
    const double observed = double(c[kHomAlt]) + c[kHet] + c[kHomRef];
    q.alt_alleles += haploid ? c[kHomAlt] + 0.5 * c[kHet] : 2.0 * c[kHomAlt] + c[kHet];
    q.alleles += haploid ? observed : 2 * observed;
  }
  if (kind == ChromosomeKind::x) {
    const std::uint32_t* female = counts[static_cast<unsigned>(Sex::female)];
    q.hwe_hom_ref = female[kHomRef];
    q.hwe_het = female[kHet];
    q.hwe_hom_alt = female[kHomAlt];
    // Graffelman and Weir's test, as plink2: the females' genotypes with the males' alleles
    // (their heterozygous calls left out).
    const std::uint32_t* male = counts[static_cast<unsigned>(Sex::male)];
    q.hwe_ln_p = hwe_x_exact_ln_p(q.hwe_hom_ref, q.hwe_het, q.hwe_hom_alt, male[kHomRef], male[kHomAlt], midp);
  } else {
    q.hwe_ln_p = std::numeric_limits<double>::quiet_NaN();
  }
}

// Imputed dosages carry more than their hard calls: as plink2 --freq (and so --maf and --mac)
// counts them, the ALT alleles are the sum of the dosages and the observed alleles two for each
// sample with a dosage, called or not (a haploid sample's dosage, on the 0-2 scale, counts half,
// and one allele). The genotype counts, missing rate and Hardy-Weinberg test stay the hard calls'.
// On the autosomes (and XY) the dosages also give MaCH's r-squared.
void count_dosage_alleles(const double* column, std::size_t n, ChromosomeKind kind, const std::vector<Sex>& sexes, VariantQc& q) {
  const bool by_sex = kind == ChromosomeKind::x || kind == ChromosomeKind::y || kind == ChromosomeKind::mitochondrial;
  if (!by_sex) {
    // Autosomes: four running sums each, so that the additions do not wait on one another; a
    // missing dosage (NaN) makes them NaN, and only then is the column summed again, around it.
    double alt[4] = {}, squares[4] = {};
    std::size_t s = 0;
    for (; s + 4 <= n; s += 4) {
      for (std::size_t k = 0; k < 4; ++k) {
        alt[k] += column[s + k];
        squares[k] += column[s + k] * column[s + k];
      }
    }
    for (; s < n; ++s) {
      alt[0] += column[s];
      squares[0] += column[s] * column[s];
    }
    double alt_sum = (alt[0] + alt[1]) + (alt[2] + alt[3]), square_sum = (squares[0] + squares[1]) + (squares[2] + squares[3]);
    std::size_t observed = n;
    if (std::isnan(alt_sum)) {
      alt_sum = square_sum = 0;
      observed = 0;
      for (s = 0; s < n; ++s) {
        if (std::isnan(column[s])) continue;
        alt_sum += column[s];
        square_sum += column[s] * column[s];
        ++observed;
      }
    }
    q.alt_alleles = alt_sum;
    q.alleles = 2.0 * static_cast<double>(observed);
    q.mach_r2 = mach_r2(alt_sum, square_sum, static_cast<double>(observed));
    return;
  }
  double alt = 0, alleles = 0, squares = 0;
  for (std::size_t s = 0; s < n; ++s) {
    if (std::isnan(column[s])) continue;
    if (kind == ChromosomeKind::y && sexes[s] != Sex::male) continue;  // chrY: males only
    const bool haploid = by_sex && (kind != ChromosomeKind::x || sexes[s] == Sex::male);
    alt += haploid ? 0.5 * column[s] : column[s];
    alleles += haploid ? 1 : 2;
    squares += column[s] * column[s];
  }
  q.alt_alleles = alt;
  q.alleles = alleles;
}

// Counts one chunk of variants into `result.variants` and chunk-local per-sample counters.
KOHORT_POPCNT void count_chunk(GenotypeSource& source, const std::vector<ChromosomeKind>& kinds, const std::vector<Sex>& sexes,
                               std::size_t begin, std::size_t end, bool midp, QcResult& result,
                               std::vector<std::uint32_t>& sample_missing, std::vector<std::uint32_t>& sample_het) {
  const std::size_t n = source.sample_count();
  const std::size_t words = source.packed_words();
  std::vector<std::uint64_t> scratch(words);
  VerticalCounter missing_counter(words), het_counter(words);
  const std::size_t bytes = (n + 3) / 4;
  const std::size_t full_words = bytes / 8;
  // The last word holds the tail bytes; calls past the last sample are cleared (they read as 00).
  const std::uint64_t tail_mask = n % 32 == 0 ? ~0ull : (std::uint64_t(1) << (2 * (n % 32))) - 1;
  // With dosages, their allele counts replace the hard calls' (after the hard calls' counts).
  const bool dosages = source.has_dosages();
  std::vector<double> column(dosages ? n : 0);
  for (std::size_t v = begin; v < end; ++v) {
    const std::uint8_t* packed = dosages ? source.packed_bytes_and_dosages(v, scratch.data(), column.data()) : source.packed_bytes(v, scratch.data());
    const ChromosomeKind kind = kinds[v];
    if (kind == ChromosomeKind::x || kind == ChromosomeKind::y || kind == ChromosomeKind::mitochondrial) {
      count_by_sex(packed, sexes, kind, midp, result.variants[v], sample_missing, sample_het);
      if (dosages) count_dosage_alleles(column.data(), n, kind, sexes, result.variants[v]);
      continue;
    }
    Tally tally;
    for (std::size_t w = 0; w < full_words; ++w) {
      std::uint64_t x;
      std::memcpy(&x, packed + 8 * w, 8);
      count_word(w, w + 1 == words ? x & tail_mask : x, tally, missing_counter, het_counter);
    }
    if (full_words < words) {
      std::uint64_t x = 0;
      std::memcpy(&x, packed + 8 * full_words, bytes - 8 * full_words);
      count_word(full_words, x & tail_mask, tally, missing_counter, het_counter);
    }
    missing_counter.variant_done(sample_missing.data(), n);
    het_counter.variant_done(sample_het.data(), n);
    VariantQc& q = result.variants[v];
    q.missing = tally.missing;
    q.het = tally.het;
    q.hom_ref = tally.hom_ref;
    q.hom_alt = std::uint32_t(n) - tally.missing - tally.het - tally.hom_ref;
    q.alt_alleles = double(q.het) + 2.0 * q.hom_alt;
    q.alleles = 2.0 * q.observed();
    q.hwe_hom_ref = q.hom_ref;
    q.hwe_het = q.het;
    q.hwe_hom_alt = q.hom_alt;
    q.hwe_ln_p = hwe_exact_ln_p(q.hom_ref, q.het, q.hom_alt, midp);
    q.mach_r2 = mach_r2(q.alt_alleles, q.het + 4.0 * q.hom_alt, q.observed());  // of the hard calls; dosages replace it
    if (dosages) count_dosage_alleles(column.data(), n, kind, sexes, q);
  }
  missing_counter.finish(sample_missing.data(), n);
  het_counter.finish(sample_het.data(), n);
}

}  // namespace

bool passes(const VariantQc& q, const VariantFilters& filters) {
  if (filters.maf >= 0) {
    if (!(q.alleles > 0)) return false;
    const double freq = q.alt_alleles / q.alleles;
    if (std::min(freq, 1 - freq) < filters.maf) return false;
  }
  if (filters.mac >= 0 && std::min(q.alt_alleles, q.alleles - q.alt_alleles) < filters.mac) return false;
  if (filters.geno >= 0) {
    const std::uint32_t samples = q.missing + q.observed();  // chrY: the males
    if (samples > 0 && double(q.missing) / double(samples) > filters.geno) return false;
  }
  if (filters.hwe >= 0 && !std::isnan(q.hwe_ln_p) && q.hwe_ln_p < std::log(filters.hwe)) return false;
  if (filters.mach_r2_min >= 0 && !passes_mach_r2(q.mach_r2, filters.mach_r2_min, filters.mach_r2_max)) return false;
  return true;
}

QcResult compute_qc(GenotypeSource& source, bool hwe_midp, const std::vector<Sex>& given_sexes) {
  const std::size_t n = source.sample_count();
  const std::size_t m = source.variant_count();
  QcResult result;
  result.variants.resize(m);
  std::vector<std::uint32_t> total_missing(n, 0), total_het(n, 0);
  std::mutex merge_mutex;
  std::atomic<std::size_t> done{0};
  Progress progress("qc", m, "variants");
  const std::size_t grain = std::max<std::size_t>(64, (1u << 22) / std::max<std::size_t>(n, 1));
  std::vector<ChromosomeKind> kinds(m);
  std::size_t y_variants = 0;
  for (std::size_t v = 0; v < m; ++v) {
    const bool same = v > 0 && source.variant(v).chrom == source.variant(v - 1).chrom;
    kinds[v] = same ? kinds[v - 1] : chromosome_kind(source.variant(v).chrom);
    y_variants += kinds[v] == ChromosomeKind::y;
  }
  std::vector<Sex> sexes(given_sexes);
  if (sexes.empty()) {
    sexes.resize(n);
    for (std::size_t s = 0; s < n; ++s) sexes[s] = source.sample(s).sex;
  } else if (sexes.size() != n) {
    throw Error(fmt::format("{}: {} sexes given for {} samples", source.path(), sexes.size(), n));
  }
  auto chunk = [&](std::size_t begin, std::size_t end) {
    std::vector<std::uint32_t> missing(n, 0), het(n, 0);
    count_chunk(source, kinds, sexes, begin, end, hwe_midp, result, missing, het);
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
    result.samples[s].variants = std::uint32_t(sexes[s] == Sex::male ? m : m - y_variants);
    result.samples[s].observed = result.samples[s].variants - total_missing[s];
  }
  return result;
}

}  // namespace kohort::genotype
