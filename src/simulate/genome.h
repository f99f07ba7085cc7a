#pragma once
// Biobank genotypes for the participants, streamed to PLINK 1 .bed/.bim/.fam: 22 autosomes,
// haplotypes copied as mosaics of founder haplotypes (linkage disequilibrium that decays with
// genetic distance, recombination hotspots), three ancestry groups drifted from a common
// spectrum, about 1% missing calls, and first-degree relatives. Causal variants of each disease
// are planted here and the participants' genetic liabilities accumulated while streaming.
#include <cstdint>
#include <string>
#include <vector>

#include "simulate/population.h"

namespace kohort {
class OutputDirectory;
}

namespace kohort::simulate {

struct CausalVariant {
  std::size_t disease;
  std::string id;
  int chromosome;
  std::int64_t position;
  std::string effect_allele;  // the ALT allele
  double beta;                // liability per ALT allele
  double alt_frequency;       // expected in the genotyped sample
  double variance_explained;  // share of liability variance intended
};

struct GenomeResult {
  // genetic_liability[disease][k]: sum of beta * (ALT count - 2 * expected frequency) for the
  // k-th genotyped person, from the true (unmasked) genotypes.
  std::vector<std::vector<double>> genetic_liability;
  std::vector<CausalVariant> causal;
  std::uint64_t missing_calls = 0;
  std::uint64_t variants = 0;
};

struct GenomeOptions {
  std::uint64_t variants;
  std::uint64_t seed;
  double missing_rate = 0.01;
};

// Writes genotypes.bed/.bim/.fam and truth_variants.tsv into `out`.
GenomeResult simulate_genome(const Population& population, const GenomeOptions& options, const OutputDirectory& out);

// GRCh38 autosome lengths in base pairs, chromosome 1..22 at index 0..21.
const std::int64_t* autosome_lengths();

}  // namespace kohort::simulate
