// Firth-penalised logistic regression at its hardest: a variant with a single carrier.
#include "assoc/logistic.h"

#include <gtest/gtest.h>

#include <Eigen/LU>
#include <cmath>

#include "core/random.h"

namespace kohort::assoc {
namespace {

// Firth's penalised log-likelihood: l(beta) + log det(X'WX) / 2.
double penalised_log_likelihood(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, const Eigen::VectorXd& beta) {
  const Eigen::VectorXd eta = x * beta;
  double l = 0;
  Eigen::VectorXd w(eta.size());
  for (Eigen::Index i = 0; i < eta.size(); ++i) {
    l += y(i) * eta(i) - std::log1p(std::exp(eta(i)));
    const double mu = 1 / (1 + std::exp(-eta(i)));
    w(i) = mu * (1 - mu);
  }
  const Eigen::MatrixXd information = x.transpose() * w.asDiagonal() * x;
  return l + 0.5 * std::log(information.determinant());
}

}  // namespace

// With one carrier, the penalised likelihood curves about twice as much along the genotype as the
// information the steps are scaled by: undamped, the steps overshoot and some fits cycle between two
// points for ever (all 12 seeds here did before). The fit must converge, to the maximum of the penalised likelihood.
TEST(FitLogistic, FirthConvergesForSingleCarriers) {
  for (int seed = 1; seed <= 12; ++seed) {
    Random random(static_cast<std::uint64_t>(seed), 0, 0);
    const Eigen::Index n = 450;
    Eigen::MatrixXd x(n, 3);
    Eigen::VectorXd y(n);
    for (Eigen::Index i = 0; i < n; ++i) {
      x.row(i) << 1.0, random.normal(), i == 7 ? 1.0 : 0.0;
      y(i) = i == 7 ? 1.0 : static_cast<double>(random.bernoulli(0.2));
    }
    const LogisticFit fit = fit_logistic(x, y, true);
    ASSERT_TRUE(fit.converged) << "seed " << seed;
    const double best = penalised_log_likelihood(x, y, fit.coefficients);
    for (double h : {-1e-4, 1e-4}) {
      Eigen::VectorXd moved = fit.coefficients;
      moved(2) += h;
      EXPECT_LT(penalised_log_likelihood(x, y, moved), best) << "seed " << seed << ", beta moved by " << h;
    }
  }
}

}  // namespace kohort::assoc

namespace kohort::assoc {

// The null of Firth's likelihood-ratio test: the last coefficient held where it starts, the others
// at the maximum of the penalised likelihood whose penalty still spans every column.
TEST(FitLogistic, FirthWithAFixedCoefficientMaximisesTheFullPenalty) {
  Random random(31, 0, 0);
  const Eigen::Index n = 800;
  Eigen::MatrixXd x(n, 3);
  Eigen::VectorXd y(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    x.row(i) << 1.0, random.normal(), static_cast<double>(random.bernoulli(0.3) + random.bernoulli(0.3));
    y(i) = static_cast<double>(random.bernoulli(1 / (1 + std::exp(2.0 - 0.5 * x(i, 1)))));
  }
  Eigen::VectorXd start = Eigen::VectorXd::Zero(3);
  const LogisticFit null_fit = fit_logistic(x, y, true, start, 100, 2);
  ASSERT_TRUE(null_fit.converged);
  EXPECT_EQ(null_fit.coefficients(2), 0.0);
  const double best = penalised_log_likelihood(x, y, null_fit.coefficients);
  EXPECT_NEAR(null_fit.log_likelihood, best, 1e-9);
  for (Eigen::Index c = 0; c < 2; ++c)
    for (double h : {-1e-4, 1e-4}) {
      Eigen::VectorXd moved = null_fit.coefficients;
      moved(c) += h;
      EXPECT_LT(penalised_log_likelihood(x, y, moved), best) << "coefficient " << c << " moved by " << h;
    }
  // The covariates' own Firth fit maximises another function: its penalty lacks the third column.
  const LogisticFit covariates_only = fit_logistic(x.leftCols(2), y, true);
  Eigen::VectorXd padded(3);
  padded << covariates_only.coefficients, 0.0;
  EXPECT_LT(penalised_log_likelihood(x, y, padded), best);
  EXPECT_GT(std::fabs(covariates_only.log_likelihood - best), 1.0);  // about log(sum w g^2) / 2 apart
}

// The approximate fit: one coefficient with an offset, at the maximum of l + log I / 2, found here
// by golden-section search on firth_offset_log_likelihood.
TEST(FitFirthOffset, MaximisesThePenalisedLikelihood) {
  Random random(32, 0, 0);
  const Eigen::Index n = 1500;
  Eigen::VectorXd g(n), y(n), offset(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    offset(i) = -2.5 + 0.3 * random.normal();
    g(i) = static_cast<double>(random.bernoulli(0.05) + random.bernoulli(0.05)) - 0.1;
    y(i) = static_cast<double>(random.bernoulli(1 / (1 + std::exp(-(offset(i) + 0.8 * g(i))))));
  }
  const LogisticFit fit = fit_firth_offset(g, y, offset, 0.0);
  ASSERT_TRUE(fit.converged);
  double low = -5, high = 5;
  const double ratio = (std::sqrt(5.0) - 1) / 2;
  for (int step = 0; step < 200; ++step) {
    const double a = high - ratio * (high - low), b = low + ratio * (high - low);
    if (firth_offset_log_likelihood(g, y, offset, a) < firth_offset_log_likelihood(g, y, offset, b)) low = a; else high = b;
  }
  EXPECT_NEAR(fit.coefficients(0), (low + high) / 2, 1e-6);
  EXPECT_NEAR(fit.log_likelihood, firth_offset_log_likelihood(g, y, offset, fit.coefficients(0)), 1e-12);
  double information = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    const double mu = 1 / (1 + std::exp(-(offset(i) + fit.coefficients(0) * g(i))));
    information += mu * (1 - mu) * g(i) * g(i);
  }
  EXPECT_NEAR(fit.standard_errors(0), 1 / std::sqrt(information), 1e-12);
}

}  // namespace kohort::assoc
