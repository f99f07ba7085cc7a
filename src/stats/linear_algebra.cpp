#include "stats/linear_algebra.h"

#include <cmath>

namespace kohort::stats {

CholeskyFactor::CholeskyFactor(std::vector<double> a, std::size_t p, double toler) : p_(p), factor_(std::move(a)) {
  double largest = 0;
  for (std::size_t i = 0; i < p; ++i) largest = std::max(largest, std::fabs(factor_[i * p + i]));
  const double eps = largest > 0 ? largest * toler : toler;
  for (std::size_t i = 0; i < p; ++i) {
    const double pivot = factor_[i * p + i];
    if (!std::isfinite(pivot) || pivot < eps) {
      for (std::size_t j = i; j < p; ++j) factor_[j * p + i] = 0;
      continue;
    }
    ++rank_;
    for (std::size_t j = i + 1; j < p; ++j) {
      const double temp = factor_[j * p + i] / pivot;
      factor_[j * p + i] = temp;
      factor_[j * p + j] -= temp * temp * pivot;
      for (std::size_t k = j + 1; k < p; ++k) factor_[k * p + j] -= temp * factor_[k * p + i];
    }
  }
}

std::vector<double> CholeskyFactor::solve(const std::vector<double>& b) const {
  const std::size_t p = p_;
  std::vector<double> y(b);
  for (std::size_t i = 0; i < p; ++i)
    for (std::size_t k = 0; k < i; ++k) y[i] -= factor_[i * p + k] * y[k];
  for (std::size_t i = 0; i < p; ++i) y[i] = factor_[i * p + i] == 0 ? 0 : y[i] / factor_[i * p + i];
  for (std::size_t i = p; i-- > 0;) {
    if (factor_[i * p + i] == 0) { y[i] = 0; continue; }
    for (std::size_t k = i + 1; k < p; ++k) y[i] -= factor_[k * p + i] * y[k];
  }
  return y;
}

std::vector<double> CholeskyFactor::inverse() const {
  const std::size_t p = p_;
  std::vector<double> inv(p * p, 0.0), unit(p);
  for (std::size_t j = 0; j < p; ++j) {
    std::fill(unit.begin(), unit.end(), 0.0);
    unit[j] = 1;
    std::vector<double> col = solve(unit);
    for (std::size_t i = 0; i < p; ++i) inv[i * p + j] = singular(j) ? 0 : col[i];
  }
  return inv;
}

}  // namespace kohort::stats
