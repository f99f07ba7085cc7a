#pragma once
// Small dense symmetric solves for the regression models (p x p, p small): a Cholesky (LDL')
// factorisation that, like R's survival, treats near-zero pivots as singular columns.
#include <cstddef>
#include <vector>

namespace kohort::stats {

class CholeskyFactor {
 public:
  // `matrix` is symmetric, row-major p x p; pivots below toler * max|diag| count as singular.
  CholeskyFactor(std::vector<double> matrix, std::size_t p, double toler = 1.818989403545856e-12);
  int rank() const { return rank_; }
  bool singular(std::size_t i) const { return factor_[i * p_ + i] == 0; }
  // Solves A x = b; singular directions get 0.
  std::vector<double> solve(const std::vector<double>& b) const;
  // The (generalised) inverse, row-major; singular rows and columns are 0.
  std::vector<double> inverse() const;

 private:
  std::size_t p_;
  std::vector<double> factor_;  // unit lower triangle L below the diagonal, D on it
  int rank_ = 0;
};

}  // namespace kohort::stats
