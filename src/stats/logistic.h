#pragma once
// Logistic regression by iteratively reweighted least squares (as R's glm with binomial family),
// with case weights: propensity scores for trial emulation.
#include <cstddef>
#include <vector>

namespace kohort::stats {

struct LogisticOptions {
  bool intercept = true;  // prepend a column of ones (coefficient 0)
  int max_iter = 25;      // glm.control(maxit)
  double eps = 1e-8;      // glm.control(epsilon): |dev - dev_old| / (|dev| + 0.1) < eps
};

struct LogisticFit {
  std::vector<double> beta;  // intercept first when requested
  std::vector<double> var;   // p x p row-major, inverse of X'WX at the estimate
  double deviance = 0;
  int iterations = 0;
  bool converged = false;
  int rank = 0;
};

// `x` is column-major n x p (without the intercept), `y` in {0, 1} (or proportions),
// `weight` empty for all 1.
LogisticFit fit_logistic(const std::vector<double>& x, std::size_t n, std::size_t p, const std::vector<double>& y,
                         const std::vector<double>& weight, const LogisticOptions& options = {});

// Fitted probabilities for the rows of `x` (column-major n x p, without the intercept).
std::vector<double> logistic_predict(const LogisticFit& fit, const std::vector<double>& x, std::size_t n, std::size_t p,
                                     bool intercept = true);

}  // namespace kohort::stats
