#pragma once
// Genome-wide association: streams genotype blocks once and tests every phenotype against every
// variant (linear for quantitative traits, logistic score/SPA/Firth for binary ones), writing
// one GWAS-SSF file per phenotype. Memory is O(samples x (block + phenotypes + covariates)).
#include <Eigen/Core>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "assoc/logistic.h"
#include "assoc/sumstats.h"
#include "genotype/source.h"

namespace kohort::assoc {

enum class TraitType { automatic, quantitative, binary };

// Phenotypes aligned to the genotype samples.
struct PhenotypeSet {
  std::vector<std::string> names;
  Eigen::MatrixXd values;          // samples x P; binary traits coded 0/1; NaN missing
  std::vector<bool> binary;        // per phenotype
};

// Reads `columns` (all data columns when empty; ranges FIRST-LAST as SampleTable::select_columns
// reads them) of a phenotype file for `sample_ids`. Binary traits are recognised (0/1, PLINK's 1/2
// coding, or 0/1/2 as PLINK reads it, 0 missing; -9 is missing) unless `type` forces one.
PhenotypeSet read_phenotypes(const std::string& path, const std::vector<std::string>& columns,
                             const std::vector<std::string>& sample_ids, TraitType type);

struct GwasSettings {
  MissingGenotypes missing = MissingGenotypes::mean_impute;
  BinaryOptions binary;
  std::size_t block_size = 4096;
  std::string genome_assembly = "unknown";
  // Bytes the products tables of .bed input may hold at once (0: half of the machine's memory).
  std::size_t table_memory = 0;
  // The covariates' names (the columns of the covariate matrix), for messages.
  std::vector<std::string> covariate_names;
  // Sex chromosomes as plink2 --glm tests them by default: chrX with sex (male 1, female 2) as an
  // added covariate, leaving out samples of unknown sex; chrY in males only; chrY and MT coded 0/1.
  // x_sex false tests chrX without sex as a covariate, on samples of any sex (plink2's no-x-sex).
  bool x_sex = true;
  // Males' chrX calls coded 0/1, the stored 0/2 halved (plink2's --xchr-model 1; the default is its
  // model 2). The effect allele frequency then counts a male's one X, as plink2's A1_FREQ does.
  bool male_x_haploid = false;
  // Dominant and recessive codings: .bed rows are recoded and meet the products tables as the
  // additive model's do; effect_allele_frequency stays the ALT allele's frequency. Not with
  // male_x_haploid.
  GeneticModel genetic_model = GeneticModel::additive;
  // Binary phenotypes' files get effect_allele_frequency_cases and _controls: the ALT allele's
  // frequency among cases and among controls with a call (plink2's cols=+a1freqcc, REGENIE's --af-cc).
  bool case_control_frequencies = false;
  // Above 0 (and below 1): each file gets ci_lower and ci_upper columns at this level (plink2 --ci).
  double confidence_level = 0;
  // Below 1: only rows with p <= p_filter are written, and none without a p-value (plink2 --pfilter).
  double p_filter = 1;
  // Per genotype sample; empty: the genotype source's (.fam, .sample).
  std::vector<genotype::Sex> sexes;
  // plink2's --adjust: each phenotype also gets `<out_prefix>.<phenotype>.adjusted.tsv.gz`, its
  // tests sorted by p with genomic-control, Bonferroni, Holm, Sidak and FDR adjusted p-values and
  // the expected p of a QQ plot (those with p <= p_filter). The genomic control divides by adjust_lambda when it is set
  // (plink2's --lambda), else by lambda_GC, taken as 1 below 1.
  bool adjust = false;
  double adjust_lambda = 0;
  // plink2's --adjust gc: the other adjustments (Bonferroni to FDR) from the genomic-control
  // p-values instead of the tests' own.
  bool adjust_from_gc = false;
};

// The minor allele frequency bins that lambda_GC is reported by.
inline constexpr std::size_t kFrequencyBins = 3;

struct GwasSummary {
  std::uint64_t variants = 0;
  std::vector<std::string> files;
  // Per phenotype: variants with p < 5e-8.
  std::vector<std::uint64_t> significant;
  // Per phenotype: variants with a p-value, and their genomic inflation lambda_GC (NaN without one),
  // also by minor allele frequency: below 0.01, 0.01 to 0.05, 0.05 and above.
  std::vector<std::uint64_t> tests;
  std::vector<double> lambda_gc;
  std::vector<std::array<double, kFrequencyBins>> lambda_gc_by_frequency;
  // Per phenotype: the smallest p-value (natural log; +infinity without one) and its variant_id.
  std::vector<double> top_log_p;
  std::vector<std::string> top_variant;
  // With GwasSettings::adjust: the adjusted tables.
  std::vector<std::string> adjusted_files;
};

// Runs every phenotype against every variant of `source`, writing `<out_prefix>.<phenotype>.tsv.gz`
// and `<out_prefix>.summary.tsv` (a line per phenotype: samples, tests, lambda_GC, the top variant).
GwasSummary run_gwas(genotype::GenotypeSource& source, const PhenotypeSet& phenotypes, const Eigen::MatrixXd& covariates,
                     const GwasSettings& settings, const std::string& out_prefix);

}  // namespace kohort::assoc
