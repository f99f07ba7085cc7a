#pragma once
// Genome-wide association: streams genotype blocks once and tests every phenotype against every
// variant (linear for quantitative traits, logistic score/SPA/Firth for binary ones), writing
// one GWAS-SSF file per phenotype. Memory is O(samples x (block + phenotypes + covariates)).
#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

#include "assoc/logistic.h"
#include "assoc/sumstats.h"

namespace kohort::assoc {

// Where genotypes come from: any reader that yields blocks of ALT dosages.
class DosageSource {
 public:
  virtual ~DosageSource() = default;
  // Sample ids (IID) in the order of the dosage rows.
  virtual const std::vector<std::string>& sample_ids() const = 0;
  virtual std::uint64_t variant_count() const = 0;
  // The next up to `max_variants` variants: metadata and a samples x count matrix of ALT dosages,
  // NaN where missing. Returns the count, 0 at the end.
  virtual std::size_t next_block(std::size_t max_variants, std::vector<VariantInfo>& variants, Eigen::MatrixXd& dosages) = 0;
};

enum class TraitType { automatic, quantitative, binary };

// Phenotypes aligned to the genotype samples.
struct PhenotypeSet {
  std::vector<std::string> names;
  Eigen::MatrixXd values;          // samples x P; binary traits coded 0/1; NaN missing
  std::vector<bool> binary;        // per phenotype
};

// Reads `columns` (all data columns when empty) of a phenotype file for `sample_ids`. Binary
// traits are recognised (0/1 or PLINK's 1/2 coding; -9 is missing) unless `type` forces one.
PhenotypeSet read_phenotypes(const std::string& path, const std::vector<std::string>& columns,
                             const std::vector<std::string>& sample_ids, TraitType type);

struct GwasSettings {
  MissingGenotypes missing = MissingGenotypes::mean_impute;
  BinaryOptions binary;
  std::size_t block_size = 1024;
  std::string genome_assembly = "unknown";
};

struct GwasSummary {
  std::uint64_t variants = 0;
  std::vector<std::string> files;
  // Per phenotype: variants with p < 5e-8.
  std::vector<std::uint64_t> significant;
};

// Runs every phenotype against every variant of `source`, writing `<out_prefix>.<phenotype>.tsv.gz`.
GwasSummary run_gwas(DosageSource& source, const PhenotypeSet& phenotypes, const Eigen::MatrixXd& covariates,
                     const GwasSettings& settings, const std::string& out_prefix);

}  // namespace kohort::assoc
