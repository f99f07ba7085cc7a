#pragma once
// Linear regression of many quantitative phenotypes on one variant at a time, with covariates.
// Covariates are projected out once per phenotype missingness pattern; a block of variants then
// meets all phenotypes of a pattern in one matrix product. Exact per variant (Frisch-Waugh-Lovell),
// also when missing calls drop samples, via low-rank updates of the projection.
#include <Eigen/Core>
#include <cstdint>
#include <memory>
#include <vector>

#include "assoc/packed_products.h"
#include "assoc/result.h"

namespace kohort::assoc {

class LinearAssociation {
 public:
  // covariates: samples x C (an intercept is added); phenotypes: samples x P, NaN where missing.
  // Rows are the genotype samples, in genotype order; a sample with a missing covariate is dropped.
  LinearAssociation(const Eigen::MatrixXd& covariates, const Eigen::MatrixXd& phenotypes, MissingGenotypes missing);
  ~LinearAssociation();

  std::size_t phenotype_count() const { return phenotype_count_; }
  // Number of samples analysed for phenotype p.
  std::size_t sample_count(std::size_t p) const;
  // Whether phenotype p is constant, or a combination of the covariates, among its samples: its
  // variants are then reported with the error CONST_PHENO.
  bool phenotype_explained(std::size_t p) const { return explained_[p]; }
  // The covariates (columns of `covariates`) left out for phenotype p: constant among its
  // samples, or a combination of the intercept and the covariates before them.
  const std::vector<std::size_t>& dropped_covariates(std::size_t p) const { return dropped_[p]; }

  // dosages: samples x B ALT dosages, NaN where missing. results[b * P + p] for variant b, phenotype p.
  void test(const Eigen::MatrixXd& dosages, std::vector<VariantResult>& results) const;

  // The same from .bed rows, without decoding: call prepare_packed once with the .bed column of
  // each sample row (and the file's sample count), then test_packed per block (test is no longer
  // available). The products tables (8 bytes per file sample and vector) are kept within
  // `memory_limit` bytes: beyond it, phenotypes are split into groups whose tables are built for
  // each block in turn (at least one phenotype's at a time). The results are the same bits either way.
  void prepare_packed(const std::vector<std::uint32_t>& positions, std::size_t file_samples,
                      std::size_t memory_limit = SIZE_MAX);
  void test_packed(const PackedBlock& block, std::vector<VariantResult>& results) const;
  // After prepare_packed: the bytes of the tables held at once, and how many batches of tables
  // each block is computed in (1: the tables are built once and kept).
  std::size_t table_bytes() const { return table_batches_.largest_bytes; }
  std::size_t table_batches() const { return table_batches_.batches.size(); }

 private:
  struct Group;
  void test_group(const Group& group, const Eigen::MatrixXd& dosages, std::size_t begin, std::size_t end,
                  std::vector<VariantResult>& results) const;
  // Estimates for one variant from its products with the group's covariate basis (qg) and
  // phenotype residuals (gy), its sum of squares, the rows of [q residuals] (`stride` doubles
  // each) of its samples with missing calls, its mean and its MaCH r-squared (both over the
  // samples with a call).
  void finish_variant(const Group& group, std::size_t variant, const Eigen::VectorXd& qg, const Eigen::VectorXd& gy, double gg,
                      const std::vector<const double*>& missing, std::size_t stride, double mean, double info,
                      std::vector<VariantResult>& results) const;

  std::unique_ptr<PackedProducts> make_table(const Group& group) const;

  std::vector<std::unique_ptr<Group>> groups_;
  // Groups whose tables are held together; with one batch, the tables are kept across blocks.
  TableBatches table_batches_;
  std::size_t phenotype_count_ = 0;
  std::size_t covariate_count_ = 0;  // including the intercept
  std::vector<bool> explained_;      // per phenotype, see phenotype_explained
  std::vector<std::vector<std::size_t>> dropped_;  // per phenotype, see dropped_covariates
  MissingGenotypes missing_;
  std::size_t file_samples_ = 0;
};

}  // namespace kohort::assoc
