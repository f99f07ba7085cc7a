// Linear association against a direct least-squares fit of [1, covariates, genotype] per variant.
#include "assoc/linear.h"

#include <gtest/gtest.h>

#include <Eigen/LU>
#include <Eigen/QR>
#include <cmath>

#include "assoc/pvalue.h"
#include "core/random.h"

namespace kohort::assoc {
namespace {

struct Direct {
  double beta, se, log_p;
  std::size_t n;
};

Direct direct_fit(const Eigen::MatrixXd& covariates, const Eigen::VectorXd& y, const Eigen::VectorXd& g) {
  std::vector<Eigen::Index> rows;
  for (Eigen::Index i = 0; i < y.size(); ++i)
    if (!std::isnan(y(i)) && !std::isnan(g(i))) rows.push_back(i);
  Eigen::Index n = static_cast<Eigen::Index>(rows.size()), k = covariates.cols() + 2;
  Eigen::MatrixXd x(n, k);
  Eigen::VectorXd yy(n);
  for (Eigen::Index r = 0; r < n; ++r) {
    x(r, 0) = 1;
    x.block(r, 1, 1, covariates.cols()) = covariates.row(rows[static_cast<std::size_t>(r)]);
    x(r, k - 1) = g(rows[static_cast<std::size_t>(r)]);
    yy(r) = y(rows[static_cast<std::size_t>(r)]);
  }
  Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(x);
  Eigen::VectorXd coef = qr.solve(yy);
  double rss = (yy - x * coef).squaredNorm();
  double df = static_cast<double>(n - k);
  Eigen::MatrixXd xtx_inv = (x.transpose() * x).inverse();
  double se = std::sqrt(rss / df * xtx_inv(k - 1, k - 1));
  double beta = coef(k - 1);
  return {beta, se, log_p_t(beta / se, df), static_cast<std::size_t>(n)};
}

}  // namespace

TEST(LinearAssociation, EqualsDirectFitWithMissingPhenotypesAndExcludedCalls) {
  Random random(3, 0, 0);
  const Eigen::Index n = 500, c = 3, p = 3, b = 130;
  Eigen::MatrixXd covariates(n, c), phenotypes(n, p), dosages(n, b);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < c; ++j) covariates(i, j) = random.normal() + (j == 2 ? 10.0 : 0.0);
    for (Eigen::Index v = 0; v < b; ++v) dosages(i, v) = random.bernoulli(0.02) ? NAN : static_cast<double>(random.below(3));
  }
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < p; ++j) {
      phenotypes(i, j) = 0.3 * dosages(i, 0) + covariates(i, 0) - 0.5 * covariates(i, 2) + random.normal();
      if (std::isnan(phenotypes(i, j))) phenotypes(i, j) = random.normal();
    }
    if (random.bernoulli(0.1)) phenotypes(i, 1) = NAN;  // phenotype 1 has its own sample set
  }
  phenotypes.col(2) = phenotypes.col(0);  // same pattern as phenotype 0: one group

  LinearAssociation exact(covariates, phenotypes, MissingGenotypes::exclude);
  std::vector<VariantResult> results;
  exact.test(dosages, results);
  for (Eigen::Index v = 0; v < b; ++v) {
    for (Eigen::Index j = 0; j < p; ++j) {
      Direct d = direct_fit(covariates, phenotypes.col(j), dosages.col(v));
      const VariantResult& r = results[static_cast<std::size_t>(v * p + j)];
      ASSERT_EQ(r.n, d.n);
      ASSERT_NEAR(r.beta, d.beta, 1e-10 * std::fabs(d.beta) + 1e-13) << v << " " << j;
      ASSERT_NEAR(r.se, d.se, 1e-10 * d.se);
      ASSERT_NEAR(r.log_p, d.log_p, 1e-9 * std::fabs(d.log_p) + 1e-12);
    }
  }
  // The planted effect on variant 0 is found.
  EXPECT_LT(results[0].log_p, std::log(1e-5));

  // Mean imputation equals a direct fit on the imputed genotypes.
  LinearAssociation imputed(covariates, phenotypes, MissingGenotypes::mean_impute);
  imputed.test(dosages, results);
  for (Eigen::Index v = 0; v < b; v += 7) {
    Eigen::VectorXd g = dosages.col(v);
    std::vector<bool> keep(static_cast<std::size_t>(n));
    double sum = 0, count = 0;
    for (Eigen::Index i = 0; i < n; ++i)
      if (!std::isnan(g(i)) && !std::isnan(phenotypes(i, 1))) sum += g(i), count += 1;
    for (Eigen::Index i = 0; i < n; ++i)
      if (std::isnan(g(i))) g(i) = sum / count;
    Direct d = direct_fit(covariates, phenotypes.col(1), g);
    const VariantResult& r = results[static_cast<std::size_t>(v * p + 1)];
    ASSERT_NEAR(r.beta, d.beta, 1e-10 * std::fabs(d.beta) + 1e-13);
    ASSERT_NEAR(r.se, d.se, 1e-10 * d.se);
  }
}

TEST(LinearAssociation, ConstantGenotypeIsReportedNotEstimated) {
  const Eigen::Index n = 50;
  Eigen::MatrixXd covariates(n, 1), phenotypes(n, 1), dosages(n, 1);
  Random random(1, 1, 1);
  for (Eigen::Index i = 0; i < n; ++i) {
    covariates(i, 0) = random.normal();
    phenotypes(i, 0) = random.normal();
    dosages(i, 0) = 1.0;  // every sample heterozygous
  }
  LinearAssociation linear(covariates, phenotypes, MissingGenotypes::exclude);
  std::vector<VariantResult> results;
  linear.test(dosages, results);
  EXPECT_STREQ(results[0].error, "CONST_ALLELE");
  EXPECT_TRUE(std::isnan(results[0].beta));
}

TEST(LinearAssociation, PhenotypeExplainedByTheCovariatesIsReportedNotEstimated) {
  const Eigen::Index n = 200, b = 6;
  Eigen::MatrixXd covariates(n, 1), phenotypes(n, 3), dosages(n, b);
  Random random(5, 0, 0);
  for (Eigen::Index i = 0; i < n; ++i) {
    covariates(i, 0) = random.normal();
    for (Eigen::Index v = 0; v < b; ++v) dosages(i, v) = static_cast<double>(random.below(3));
    phenotypes(i, 0) = 5.0;                               // constant
    phenotypes(i, 1) = 1.0 - 2.5 * covariates(i, 0);      // a combination of the covariates
    phenotypes(i, 2) = 0.2 * dosages(i, 1) + random.normal();  // testable
  }
  LinearAssociation linear(covariates, phenotypes, MissingGenotypes::mean_impute);
  EXPECT_TRUE(linear.phenotype_explained(0));
  EXPECT_TRUE(linear.phenotype_explained(1));
  EXPECT_FALSE(linear.phenotype_explained(2));
  std::vector<VariantResult> results;
  linear.test(dosages, results);
  for (Eigen::Index v = 0; v < b; ++v) {
    for (std::size_t p = 0; p < 2; ++p) {
      const VariantResult& r = results[static_cast<std::size_t>(v) * 3 + p];
      EXPECT_STREQ(r.error, "CONST_PHENO") << "variant " << v << ", phenotype " << p;
      EXPECT_TRUE(std::isnan(r.beta) && std::isnan(r.se) && std::isnan(r.log_p));
    }
    const VariantResult& testable = results[static_cast<std::size_t>(v) * 3 + 2];
    const Direct direct = direct_fit(covariates, phenotypes.col(2), dosages.col(v));
    EXPECT_EQ(testable.error, nullptr);
    EXPECT_NEAR(testable.beta, direct.beta, 1e-10 * std::fabs(direct.beta));
  }
}

// Sex, for a phenotype measured in women only: constant among its samples, so left out for it
// (as plink2 and R's lm do), while a phenotype of both sexes keeps it.
TEST(LinearAssociation, CovariateConstantAmongAPhenotypesSamplesIsLeftOutForIt) {
  const Eigen::Index n = 400, b = 5;
  Eigen::MatrixXd covariates(n, 2), phenotypes(n, 2), dosages(n, b);
  Random random(8, 0, 0);
  for (Eigen::Index i = 0; i < n; ++i) {
    const bool woman = random.bernoulli(0.5);
    covariates.row(i) << random.normal(), woman ? 1.0 : 0.0;
    for (Eigen::Index v = 0; v < b; ++v) dosages(i, v) = static_cast<double>(random.below(3));
    phenotypes(i, 0) = woman ? 0.3 * dosages(i, 0) + covariates(i, 0) + random.normal() : NAN;
    phenotypes(i, 1) = 0.5 * covariates(i, 1) + random.normal();
  }
  for (auto missing : {MissingGenotypes::mean_impute, MissingGenotypes::exclude}) {
    LinearAssociation linear(covariates, phenotypes, missing);
    EXPECT_EQ(linear.dropped_covariates(0), (std::vector<std::size_t>{1}));
    EXPECT_TRUE(linear.dropped_covariates(1).empty());
    std::vector<VariantResult> results;
    linear.test(dosages, results);
    for (Eigen::Index v = 0; v < b; ++v) {
      const Direct without_sex = direct_fit(covariates.leftCols(1), phenotypes.col(0), dosages.col(v));
      const VariantResult& r = results[static_cast<std::size_t>(v) * 2];
      EXPECT_EQ(r.n, without_sex.n);
      EXPECT_NEAR(r.beta, without_sex.beta, 1e-10 * std::fabs(without_sex.beta));
      EXPECT_NEAR(r.se, without_sex.se, 1e-10 * without_sex.se);
      EXPECT_NEAR(r.log_p, without_sex.log_p, 1e-9 * std::fabs(without_sex.log_p) + 1e-12);
      const Direct both = direct_fit(covariates, phenotypes.col(1), dosages.col(v));
      EXPECT_NEAR(results[static_cast<std::size_t>(v) * 2 + 1].se, both.se, 1e-10 * both.se);
    }
  }
}

// A phenotype recorded as deviations from a large offset (1e9 + y, exact in doubles) gives the
// results of y itself: before the phenotypes were centred, the offset left 1e-7 of precision.
TEST(LinearAssociation, LargeOffsetCostsNoPrecision) {
  const Eigen::Index n = 400, b = 6;
  Eigen::MatrixXd covariates(n, 1), phenotypes(n, 2), dosages(n, b);
  Random random(9, 0, 0);
  for (Eigen::Index i = 0; i < n; ++i) {
    covariates(i, 0) = random.normal();
    for (Eigen::Index v = 0; v < b; ++v) dosages(i, v) = static_cast<double>(random.below(3));
    phenotypes(i, 0) = std::ldexp(std::round(std::ldexp(0.2 * dosages(i, 0) + random.normal(), 20)), -20);
    phenotypes(i, 1) = 1e9 + phenotypes(i, 0);
  }
  LinearAssociation linear(covariates, phenotypes, MissingGenotypes::mean_impute);
  EXPECT_FALSE(linear.phenotype_explained(1));
  std::vector<VariantResult> results;
  linear.test(dosages, results);
  for (std::size_t v = 0; v < static_cast<std::size_t>(b); ++v) {
    EXPECT_NEAR(results[2 * v + 1].beta, results[2 * v].beta, 1e-10 * results[2 * v].se) << "variant " << v;
    EXPECT_NEAR(results[2 * v + 1].se, results[2 * v].se, 1e-10 * results[2 * v].se) << "variant " << v;
  }
}

TEST(LinearAssociation, PerfectFitHasNoStandardErrorOrPValue) {
  const Eigen::Index n = 60;
  Eigen::MatrixXd covariates(n, 1), phenotypes(n, 1), dosages(n, 2);
  Random random(6, 0, 0);
  for (Eigen::Index i = 0; i < n; ++i) {
    covariates(i, 0) = random.normal();
    dosages(i, 0) = static_cast<double>(random.below(3));
    dosages(i, 1) = static_cast<double>(random.below(3));
    phenotypes(i, 0) = 0.5 * dosages(i, 0) + covariates(i, 0);  // variant 0 and the covariate fit exactly
  }
  LinearAssociation linear(covariates, phenotypes, MissingGenotypes::mean_impute);
  std::vector<VariantResult> results;
  linear.test(dosages, results);
  // Rounding may leave a residual of 1e-30 instead of 0: the fit is then as good as perfect, and
  // the p-value is tiny but finite; what must never come out is an infinite statistic.
  if (results[0].error) {
    EXPECT_STREQ(results[0].error, "PERFECT_FIT");
    EXPECT_TRUE(std::isnan(results[0].se) && std::isnan(results[0].log_p));
  } else {
    EXPECT_TRUE(std::isfinite(results[0].log_p));
  }
  EXPECT_NEAR(results[0].beta, 0.5, 1e-12);
  EXPECT_EQ(results[1].error, nullptr);
  EXPECT_TRUE(std::isfinite(results[1].log_p));
}

}  // namespace kohort::assoc
