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
