#pragma once
// Association with binary phenotypes. A logistic null model with covariates is fitted once per
// phenotype; each variant then gets a score test, with a saddlepoint approximation (SPA) in the
// tails where case/control imbalance makes the normal approximation fail, and Firth-penalised
// logistic regression (beta, SE, likelihood-ratio p) when p falls below a threshold. A Wald mode
// fits the full logistic regression per variant, as plink2 --glm does, with Firth as fallback.
#include <Eigen/Core>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "assoc/packed_products.h"
#include "assoc/result.h"

namespace kohort::assoc {
namespace detail {
struct GatheredGenotypes;
}

enum class BinaryTest {
  score,  // score test, SPA beyond |z| > spa_cutoff, Firth below firth_threshold (default)
  wald,   // logistic regression per variant, Firth when it fails to converge (plink2 firth-fallback)
  firth,  // Firth-penalised logistic regression for every variant
};

struct BinaryOptions {
  BinaryTest test = BinaryTest::score;
  bool spa = true;
  double spa_cutoff = 2.0;        // |z| above which SPA replaces the normal approximation
  double firth_threshold = 0.05;  // score-test p below which Firth regression is fitted (0: never)
  // Those Firth fits approximated as REGENIE's --firth --approx fits them: the genotype alone,
  // residualised on the covariates, with the null Firth fit's covariate effects as an offset
  // (fit_firth_offset). A likelihood-ratio test as the exact fit's.
  bool firth_approx = false;
  MissingGenotypes missing = MissingGenotypes::mean_impute;
};

// A fitted logistic (optionally Firth-penalised) regression.
struct LogisticFit {
  Eigen::VectorXd coefficients;
  Eigen::VectorXd standard_errors;
  double log_likelihood = 0;  // penalised when Firth
  int iterations = 0;
  bool converged = false;
};

// Fits y ~ x by Newton-Raphson (x includes the intercept column). `firth` adds Firth's penalty
// 0.5 log|X'WX|. `start` may be empty (zeros). With `fitted_columns` >= 0, only the first that
// many coefficients are fitted and the others stay at `start`, while the penalty still counts
// every column of x: the null model of Firth's penalised likelihood-ratio test (Heinze and
// Schemper 2002, as logistf and REGENIE fit it).
LogisticFit fit_logistic(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, bool firth, const Eigen::VectorXd& start = {},
                         int max_iterations = 100, Eigen::Index fitted_columns = -1);

// Firth-penalised logistic regression of y on one predictor g, without an intercept, with a fixed
// offset: maximises l(beta) + log I(beta) / 2 for eta = offset + beta g, where I = sum w_i g_i^2
// and w_i = mu_i (1 - mu_i). One coefficient; its SE is I(beta)^-1/2 (the unpenalised information,
// as for fit_logistic); log_likelihood is the penalised one. Newton's steps, halved until the
// penalised likelihood does not fall.
LogisticFit fit_firth_offset(const Eigen::VectorXd& g, const Eigen::VectorXd& y, const Eigen::VectorXd& offset, double start = 0,
                             int max_iterations = 100);
// The penalised log-likelihood fit_firth_offset maximises, at `beta`.
double firth_offset_log_likelihood(const Eigen::VectorXd& g, const Eigen::VectorXd& y, const Eigen::VectorXd& offset, double beta);

// Two-sided log p-value of a score statistic u = sum g_i (y_i - mu_i) by saddlepoint approximation,
// with g the covariate-adjusted genotype and mu the null fitted probabilities.
double spa_log_p(const Eigen::VectorXd& g, const Eigen::VectorXd& mu, double u);
// The same with the null linear predictor eta = logit(mu) and log(1 + exp(eta)) precomputed.
double spa_log_p(const Eigen::VectorXd& g, const Eigen::VectorXd& mu, const Eigen::VectorXd& eta, const Eigen::VectorXd& base,
                 double u);

class LogisticAssociation {
 public:
  // covariates: samples x C (an intercept is added); phenotypes: samples x P coded 0/1, NaN missing.
  // `names` (optional) name the phenotypes in error messages.
  LogisticAssociation(const Eigen::MatrixXd& covariates, const Eigen::MatrixXd& phenotypes, const BinaryOptions& options,
                      const std::vector<std::string>& names = {});
  ~LogisticAssociation();

  std::size_t phenotype_count() const { return models_.size(); }
  std::size_t case_count(std::size_t p) const;
  std::size_t control_count(std::size_t p) const;
  // The covariates (columns of `covariates`) left out for phenotype p: constant among its
  // samples, or a combination of the intercept and the covariates before them.
  const std::vector<std::size_t>& dropped_covariates(std::size_t p) const;

  // dosages: samples x B ALT dosages, NaN missing. results[b * P + p].
  void test(const Eigen::MatrixXd& dosages, std::vector<VariantResult>& results) const;

  // The score test from .bed rows without decoding (see LinearAssociation::prepare_packed);
  // only the variants that need SPA or Firth are decoded. Wald and Firth modes need dosages.
  // Each phenotype has its own table (8 bytes per file sample for each of its K + 2 vectors);
  // as with LinearAssociation, they are kept within `memory_limit` bytes, built per block in
  // batches beyond it, with the same results.
  bool packed_supported() const;
  void prepare_packed(const std::vector<std::uint32_t>& positions, std::size_t file_samples,
                      std::size_t memory_limit = SIZE_MAX);
  void test_packed(const PackedBlock& block, std::vector<VariantResult>& results) const;
  std::size_t table_bytes() const { return table_batches_.largest_bytes; }
  std::size_t table_batches() const { return table_batches_.batches.size(); }

 private:
  struct SampleSet;
  struct NullModel;
  // Phenotype p on dosage columns [begin, end), `gathered` on its samples (mean-filled).
  void test_phenotype(const NullModel& model, std::size_t p, const Eigen::MatrixXd& dosages, const detail::GatheredGenotypes& gathered,
                      std::size_t begin, std::size_t end, std::vector<VariantResult>& results) const;

  // Score test, SPA and Firth for one variant from its score u, WX'g (b) and g'Wg; `genotypes`
  // gives the mean-imputed genotypes on the model's samples when the tails need them.
  void finish_score(const NullModel& model, double u, const Eigen::VectorXd& b, double gwg,
                    const std::function<Eigen::VectorXd()>& genotypes, VariantResult& out) const;

  static std::unique_ptr<PackedProducts> make_table(const NullModel& model, std::size_t file_samples);

  std::vector<std::unique_ptr<NullModel>> models_;
  BinaryOptions options_;
  std::size_t file_samples_ = 0;
  // Phenotypes whose tables are held together; with one batch, the tables are kept across blocks.
  TableBatches table_batches_;
};

}  // namespace kohort::assoc
