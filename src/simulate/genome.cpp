#include "simulate/genome.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <deque>
#include <unordered_map>

#include "core/error.h"
#include "core/log.h"
#include "core/output.h"
#include "core/parallel.h"
#include "core/random.h"
#include "simulate/catalog.h"
#include "simulate/streams.h"

namespace kohort::simulate {
namespace {

constexpr int kFounders = 64;                  // founder haplotypes per ancestry group (one bit each)
constexpr double kSwitchesPerCm = 8.0;         // copying switches: segments average ~125 kb
constexpr double kCrossoversPerCm = 0.01;      // meiosis, for relatives
constexpr double kHotspotSpacing = 50000.0;    // bp between recombination hotspots, on average
constexpr double kHotspotMeanCm = 0.045;       // genetic length of a hotspot
constexpr double kBackgroundCmPerBp = 0.1e-6;  // recombination outside hotspots
constexpr std::size_t kBlockVariants = 256;
constexpr std::uint64_t kAlways = std::uint64_t{1} << 32;

constexpr std::int64_t kLengths[22] = {248956422, 242193529, 198295559, 190214555, 181538259, 170805979,
                                       159345973, 145138636, 138394717, 133797422, 135086622, 133275309,
                                       114364328, 107043718, 101991189, 90338345,  83257441,  80373285,
                                       58617616,  64444167,  46709983,  50818468};

// One variant as the founders carry it. The derived allele is on founders in `mask`; a copy
// carries it when its segment's sub-lineage draw is below `threshold` (rare variants live on
// part of one founder's descendants, so they are in LD with their neighbours too).
struct VariantModel {
  std::int64_t position;
  double genetic_cm;
  double switch_distance;     // copying switches expected since the previous variant
  double crossover_distance;  // crossovers expected since the previous variant
  std::uint64_t mask[3];
  std::uint64_t threshold[3];
  double derived_frequency[3];
  bool alt_is_derived;
  char ref, alt;
  double missing_threshold;  // probability scale of this variant's missingness, times 2^53
  int causal = -1;           // index into GenomeResult::causal
};

// The founder pattern of a recent variant, which nearby new variants may share.
struct Pattern {
  std::int64_t position;
  std::uint64_t mask[3];
  std::uint64_t threshold[3];
};

struct MosaicHaplotype {
  Random random{0, 0};
  double remaining = 0;  // switches still to go before the next one
  std::uint32_t segment = 0;
  std::uint8_t founder = 0;
  std::uint8_t ancestry = 0;
};

struct TransmittedHaplotype {
  Random random{0, 0};
  double remaining = 0;
  std::uint32_t source[2] = {0, 0};  // mosaic haplotypes of the parent
  std::uint8_t which = 0;
};

// Where each of a sample's two haplotypes comes from.
struct SampleHaplotypes {
  std::uint32_t index[2];
  bool transmitted[2];
};

char random_base(Random& random) { return "ACGT"[random.below(4)]; }

char transition_of(char base) {
  switch (base) {
    case 'A': return 'G';
    case 'G': return 'A';
    case 'C': return 'T';
    default: return 'C';
  }
}

}  // namespace

const std::int64_t* autosome_lengths() { return kLengths; }

GenomeResult simulate_genome(const Population& population, const GenomeOptions& options, const OutputDirectory& out) {
  const std::uint64_t seed = options.seed;
  const std::size_t n = population.genotyped.size();
  const auto& diseases = disease_catalog();
  GenomeResult result;
  result.genetic_liability.assign(diseases.size(), std::vector<double>(n, 0.0));
  if (n == 0 || options.variants == 0) return result;

  // --- Haplotype sources: every participant has two mosaic haplotypes, except relatives, whose
  // haplotypes are transmitted from a parent (a participant, or an unobserved parent).
  std::vector<MosaicHaplotype> mosaic;
  std::vector<TransmittedHaplotype> transmitted;
  std::vector<SampleHaplotypes> samples(n);
  auto new_mosaic = [&](std::uint8_t ancestry) {
    mosaic.emplace_back();
    mosaic.back().ancestry = ancestry;
    return static_cast<std::uint32_t>(mosaic.size() - 1);
  };
  std::vector<int> role(n, 0);  // 1: offspring of a participant, 2: sibling
  std::vector<std::uint32_t> partner(n, 0);
  for (auto& pair : population.relatives) {
    auto first = static_cast<std::uint32_t>(population.persons[pair.first].genotype_index);
    auto second = static_cast<std::uint32_t>(population.persons[pair.second].genotype_index);
    if (pair.parent_offspring) {
      role[second] = 1;
      partner[second] = first;
    } else {
      role[first] = role[second] = 2;
      partner[first] = second;
      partner[second] = first;
    }
  }
  for (std::size_t k = 0; k < n; ++k) {
    std::uint8_t ancestry = population.persons[population.genotyped[k]].ancestry;
    if (role[k] == 0) {
      samples[k] = {{new_mosaic(ancestry), new_mosaic(ancestry)}, {false, false}};
    }
  }
  for (std::size_t k = 0; k < n; ++k) {
    std::uint8_t ancestry = population.persons[population.genotyped[k]].ancestry;
    if (role[k] == 1) {
      const auto& parent = samples[partner[k]];
      transmitted.emplace_back();
      transmitted.back().source[0] = parent.index[0];
      transmitted.back().source[1] = parent.index[1];
      samples[k] = {{static_cast<std::uint32_t>(transmitted.size() - 1), new_mosaic(ancestry)}, {true, false}};
    } else if (role[k] == 2 && partner[k] > k) {
      // Two unobserved parents, four mosaic haplotypes, shared by both siblings.
      std::uint32_t parents[4] = {new_mosaic(ancestry), new_mosaic(ancestry), new_mosaic(ancestry), new_mosaic(ancestry)};
      for (std::size_t sibling : {k, static_cast<std::size_t>(partner[k])}) {
        std::uint32_t index[2];
        for (int h = 0; h < 2; ++h) {
          transmitted.emplace_back();
          transmitted.back().source[0] = parents[2 * h];
          transmitted.back().source[1] = parents[2 * h + 1];
          index[h] = static_cast<std::uint32_t>(transmitted.size() - 1);
        }
        samples[sibling] = {{index[0], index[1]}, {true, true}};
      }
    }
  }
  const std::size_t haplotype_count = mosaic.size();

  // Sample quality: most samples near the average missing rate, a few poor ones.
  std::vector<double> sample_missing(n);
  std::size_t ancestry_haplotypes[3] = {0, 0, 0};
  for (std::size_t k = 0; k < n; ++k) {
    Random random(seed, kStreamMissing, k);
    sample_missing[k] = (random.bernoulli(0.01) ? 5.0 : 1.0) * (0.5 + random.exponential(2.0));
    ancestry_haplotypes[population.persons[population.genotyped[k]].ancestry] += 2;
  }

  // --- Causal variants, placed before streaming so each is drawn common.
  std::unordered_map<std::uint64_t, int> causal_at;
  {
    Random random(seed, kStreamCausal, 0);
    std::size_t per_disease = std::min<std::uint64_t>(200, options.variants / (2 * diseases.size()));
    for (std::size_t d = 0; d < diseases.size(); ++d) {
      double h2 = diseases[d].heritability;
      for (std::size_t j = 0; j < per_disease; ++j) {
        std::uint64_t v;
        do {
          v = random.below(options.variants);
        } while (causal_at.count(v));
        // Two major loci (4% and 2% of the liability variance), eight moderate ones (0.5%), and
        // the rest of the heritability spread thinly over a polygenic background.
        double share = j == 0 ? 0.04 : j == 1 ? 0.02 : j < 10 ? 0.005 : (h2 - 0.10) / std::max<double>(1, per_disease - 10);
        if (per_disease <= 10) share = h2 / static_cast<double>(per_disease);
        CausalVariant c;
        c.disease = d;
        c.variance_explained = share;
        c.beta = random.bernoulli(0.5) ? 1.0 : -1.0;  // sign now, size once the frequency is known
        causal_at[v] = static_cast<int>(result.causal.size());
        result.causal.push_back(c);
      }
    }
  }

  // --- Outputs.
  OutputFile bed(out.file("genotypes.bed"));
  OutputFile bim(out.file("genotypes.bim"));
  OutputFile truth(out.file("truth_variants.tsv"));
  {
    OutputFile fam(out.file("genotypes.fam"));
    for (std::size_t k = 0; k < n; ++k) {
      const Person& p = population.persons[population.genotyped[k]];
      std::string id = person_id(seed, population.genotyped[k]);
      fam.write(fmt::format("{}\t{}\t0\t0\t{}\t-9\n", id, id, p.sex == 'M' ? 1 : 2));
    }
    fam.commit();
  }
  const unsigned char magic[3] = {0x6c, 0x1b, 0x01};
  bed.write(magic, 3);
  truth.write("id\tchrom\tpos\tref\talt\talt_frequency\talt_frequency_group1\talt_frequency_group2\talt_frequency_group3\tgenetic_position_cm\n");

  const std::size_t bytes_per_variant = (n + 3) / 4;
  std::vector<std::uint8_t> alleles(kBlockVariants * haplotype_count);
  std::vector<std::uint8_t> packed(kBlockVariants * bytes_per_variant);
  std::vector<VariantModel> block;
  block.reserve(kBlockVariants);
  std::vector<std::uint64_t> block_missing(kBlockVariants);

  double total_length = 0;
  for (auto length : kLengths) total_length += static_cast<double>(length);
  Progress progress("simulating genotypes", options.variants, "variants");
  std::uint64_t global = 0;
  std::string text;

  for (int chromosome = 1; chromosome <= 22; ++chromosome) {
    const std::int64_t length = kLengths[chromosome - 1];
    std::uint64_t count = chromosome == 22
                              ? options.variants - global
                              : static_cast<std::uint64_t>(std::llround(static_cast<double>(options.variants) * static_cast<double>(length) / total_length));
    count = std::min(count, options.variants - global);
    if (count == 0) continue;

    // A fresh start for every haplotype on each chromosome.
    std::uint64_t stream = kStreamHaplotype + 16 * static_cast<std::uint64_t>(chromosome);
    for (std::size_t h = 0; h < haplotype_count; ++h) {
      auto& m = mosaic[h];
      m.random = Random(seed, stream, h);
      m.founder = static_cast<std::uint8_t>(m.random.below(kFounders));
      m.segment = static_cast<std::uint32_t>(m.random.next() >> 32);
      m.remaining = m.random.exponential(1.0);
    }
    for (std::size_t t = 0; t < transmitted.size(); ++t) {
      auto& h = transmitted[t];
      h.random = Random(seed, stream + 1, t);
      h.which = static_cast<std::uint8_t>(h.random.below(2));
      h.remaining = h.random.exponential(1.0);
    }

    Random chromosome_random(seed, kStreamChromosome, static_cast<std::uint64_t>(chromosome));
    std::int64_t previous_position = 0;
    double genetic_cm = 0;
    double next_hotspot = chromosome_random.exponential(1.0 / kHotspotSpacing);
    std::uint64_t remaining_count = count;
    std::deque<Pattern> recent;

    while (remaining_count > 0) {
      // --- Draw the block's variant models (serially: cheap, and keyed by global index).
      block.clear();
      std::size_t block_size = std::min<std::uint64_t>(kBlockVariants, remaining_count);
      for (std::size_t b = 0; b < block_size; ++b, --remaining_count) {
        VariantModel v;
        // Sorted uniform positions drawn one at a time (order statistics), so nothing is stored.
        double u = chromosome_random.uniform_open();
        double next = static_cast<double>(previous_position) +
                      static_cast<double>(length - previous_position) * (1.0 - std::pow(u, 1.0 / static_cast<double>(remaining_count)));
        v.position = std::max<std::int64_t>(previous_position + 1, static_cast<std::int64_t>(next));
        double cm = kBackgroundCmPerBp * static_cast<double>(v.position - previous_position);
        while (next_hotspot <= static_cast<double>(v.position)) {
          cm += chromosome_random.exponential(1.0 / kHotspotMeanCm);
          next_hotspot += chromosome_random.exponential(1.0 / kHotspotSpacing);
        }
        genetic_cm += cm;
        v.genetic_cm = genetic_cm;
        v.switch_distance = previous_position == 0 ? 0 : cm * kSwitchesPerCm;
        v.crossover_distance = previous_position == 0 ? 0 : cm * kCrossoversPerCm;
        previous_position = v.position;

        Random random(seed, kStreamVariant, global + b);
        auto causal = causal_at.find(global + b);
        double f;
        if (causal != causal_at.end()) {
          f = 0.08 + 0.42 * random.uniform();
          v.causal = causal->second;
        } else if (random.bernoulli(0.35)) {
          f = 0.05 + 0.45 * random.uniform();
        } else {
          f = std::exp(std::log(0.001) + (std::log(0.5) - std::log(0.001)) * random.uniform());  // log-uniform
        }
        v.alt_is_derived = random.bernoulli(0.7);
        // Founder haplotypes carry linkage disequilibrium of their own: a new variant often arises
        // on a haplotype pattern of a recent nearby variant (slightly changed by recurrent mutation
        // and old recombination), more often the closer it is.
        double reuse = 0.85 * std::exp(-static_cast<double>(v.position - (recent.empty() ? 0 : recent.back().position)) / 60000.0);
        if (causal == causal_at.end() && !recent.empty() && random.bernoulli(reuse)) {
          const Pattern& pattern = recent[recent.size() - 1 - random.below(std::min<std::size_t>(recent.size(), 4))];
          for (int a = 0; a < 3; ++a) {
            v.mask[a] = pattern.mask[a];
            v.threshold[a] = pattern.threshold[a];
            if (std::popcount(v.mask[a]) > 1) {
              for (int j = 0; j < kFounders; ++j)
                if (random.bernoulli(0.02)) v.mask[a] ^= std::uint64_t{1} << j;
            }
          }
        } else {
          for (int a = 0; a < 3; ++a) {
            double drift = kAncestryDrift[a];
            double fa = random.beta(f * (1 - drift) / drift, (1 - f) * (1 - drift) / drift);
            if (fa * kFounders < 1.5) {
              // Rare in this group: a recent mutation on part of one founder's lineage.
              v.mask[a] = fa > 0 ? std::uint64_t{1} << random.below(kFounders) : 0;
              v.threshold[a] = std::min<std::uint64_t>(kAlways, static_cast<std::uint64_t>(fa * kFounders * 4294967296.0));
            } else {
              std::uint64_t mask = 0;
              for (int j = 0; j < kFounders; ++j)
                if (random.bernoulli(fa)) mask |= std::uint64_t{1} << j;
              v.mask[a] = mask;
              v.threshold[a] = kAlways;
            }
          }
        }
        for (int a = 0; a < 3; ++a) {
          v.derived_frequency[a] = std::popcount(v.mask[a]) / static_cast<double>(kFounders) *
                                   (static_cast<double>(v.threshold[a]) / 4294967296.0);
        }
        recent.push_back({v.position, {v.mask[0], v.mask[1], v.mask[2]}, {v.threshold[0], v.threshold[1], v.threshold[2]}});
        if (recent.size() > 8) recent.pop_front();
        v.ref = random_base(random);
        v.alt = random.bernoulli(2.0 / 3.0) ? transition_of(v.ref) : "ACGT"[(std::string("ACGT").find(v.ref) + 1 + 2 * random.below(2)) % 4];
        double variant_missing = (random.bernoulli(0.02) ? 5.0 : 1.0) * (0.3 + random.exponential(1.0 / 0.7));
        v.missing_threshold = options.missing_rate * variant_missing * 9007199254740992.0;
        block.push_back(v);
      }

      // Expected ALT frequency in the sample; size the causal effects from it.
      double alt_frequency[kBlockVariants];
      for (std::size_t b = 0; b < block.size(); ++b) {
        auto& v = block[b];
        double expected = 0;
        for (int a = 0; a < 3; ++a) {
          double fa = v.alt_is_derived ? v.derived_frequency[a] : 1 - v.derived_frequency[a];
          expected += fa * static_cast<double>(ancestry_haplotypes[a]) / static_cast<double>(2 * n);
        }
        alt_frequency[b] = expected;
        if (v.causal >= 0) {
          auto& c = result.causal[static_cast<std::size_t>(v.causal)];
          double p = std::clamp(expected, 0.01, 0.99);
          c.beta = (c.beta < 0 ? -1.0 : 1.0) * std::sqrt(c.variance_explained / (2 * p * (1 - p)));
          c.alt_frequency = expected;
          c.chromosome = chromosome;
          c.position = v.position;
          c.id = fmt::format("{}:{}:{}:{}", chromosome, v.position, v.ref, v.alt);
          c.effect_allele = std::string(1, v.alt);
        }
      }

      // --- Phase 1: mosaic haplotypes, in chunks of haplotypes; state stays in cache.
      const std::size_t bs = block.size();
      parallel_for(haplotype_count, 2048, [&](std::size_t begin, std::size_t end) {
        for (std::size_t b = 0; b < bs; ++b) {
          const VariantModel& v = block[b];
          std::uint8_t* row = alleles.data() + b * haplotype_count;
          for (std::size_t h = begin; h < end; ++h) {
            MosaicHaplotype& m = mosaic[h];
            m.remaining -= v.switch_distance;
            if (m.remaining <= 0) {
              m.founder = static_cast<std::uint8_t>(m.random.below(kFounders));
              m.segment = static_cast<std::uint32_t>(m.random.next() >> 32);
              m.remaining = m.random.exponential(1.0);
            }
            std::uint8_t derived = ((v.mask[m.ancestry] >> m.founder) & 1) && m.segment < v.threshold[m.ancestry];
            row[h] = static_cast<std::uint8_t>(derived ^ !v.alt_is_derived);
          }
        }
      });

      // --- Phase 2: samples, in chunks of whole .bed bytes (4 samples), so threads never share a byte.
      static constexpr std::uint8_t kCode[4] = {3, 2, 0, 1};  // ALT count 0, 1, 2, missing -> 2-bit .bed code
      std::fill(block_missing.begin(), block_missing.end(), 0);
      std::vector<std::uint64_t> chunk_missing((n + 4095) / 4096 * bs, 0);
      parallel_for(n, 4096, [&](std::size_t begin, std::size_t end) {
        std::size_t chunk = begin / 4096;
        for (std::size_t b = 0; b < bs; ++b) {
          const VariantModel& v = block[b];
          const std::uint8_t* row = alleles.data() + b * haplotype_count;
          std::uint8_t* out_row = packed.data() + b * bytes_per_variant;
          std::uint64_t key = mix64(seed ^ mix64((global + b) * 0x9e3779b97f4a7c15ULL + kStreamMissing));
          const CausalVariant* causal = v.causal >= 0 ? &result.causal[static_cast<std::size_t>(v.causal)] : nullptr;
          std::vector<double>* liability = causal ? &result.genetic_liability[causal->disease] : nullptr;
          std::uint64_t missing = 0;
          for (std::size_t k = begin; k < end; ++k) {
            auto& s = samples[k];
            unsigned count = 0;
            for (int h = 0; h < 2; ++h) {
              if (!s.transmitted[h]) {
                count += row[s.index[h]];
              } else {
                TransmittedHaplotype& t = transmitted[s.index[h]];
                t.remaining -= v.crossover_distance;
                if (t.remaining <= 0) {
                  t.which ^= 1;
                  t.remaining = t.random.exponential(1.0);
                }
                count += row[t.source[t.which]];
              }
            }
            if (liability) (*liability)[k] += causal->beta * (static_cast<double>(count) - 2 * causal->alt_frequency);
            double draw = static_cast<double>(mix64(key ^ k) >> 11);
            unsigned code = draw < v.missing_threshold * sample_missing[k] ? (++missing, 1u) : kCode[count];
            std::size_t byte = k >> 2;
            unsigned shift = static_cast<unsigned>((k & 3) * 2);
            if (shift == 0) out_row[byte] = 0;
            out_row[byte] = static_cast<std::uint8_t>(out_row[byte] | (code << shift));
          }
          chunk_missing[chunk * bs + b] += missing;
        }
      });
      for (auto m : chunk_missing) result.missing_calls += m;

      // --- Write the block.
      bed.write(packed.data(), bs * bytes_per_variant);
      text.clear();
      std::string truth_text;
      for (std::size_t b = 0; b < bs; ++b) {
        const auto& v = block[b];
        fmt::format_to(std::back_inserter(text), "{}\t{}:{}:{}:{}\t{:.6f}\t{}\t{}\t{}\n", chromosome, chromosome, v.position, v.ref,
                       v.alt, v.genetic_cm, v.position, v.alt, v.ref);
        auto group = [&](int a) { return v.alt_is_derived ? v.derived_frequency[a] : 1 - v.derived_frequency[a]; };
        fmt::format_to(std::back_inserter(truth_text), "{}:{}:{}:{}\t{}\t{}\t{}\t{}\t{:.6g}\t{:.6g}\t{:.6g}\t{:.6g}\t{:.6f}\n", chromosome,
                       v.position, v.ref, v.alt, chromosome, v.position, v.ref, v.alt, alt_frequency[b], group(0), group(1), group(2),
                       v.genetic_cm);
      }
      bim.write(text);
      truth.write(truth_text);
      global += bs;
      result.variants = global;
      progress.update(global);
    }
  }
  progress.finish();
  bed.commit();
  bim.commit();
  truth.commit();
  return result;
}

}  // namespace kohort::simulate
