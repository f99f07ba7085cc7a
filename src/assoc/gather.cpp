#include "assoc/gather.h"

#include <cmath>
#include <cstring>

namespace kohort::assoc::detail {
namespace {

// Sum and sum of squares of the non-missing values, and the number of missing ones. Four
// interleaved partial sums, so that the additions do not wait on each other (a single running sum
// took as long as the decoding).
double sum_observed(const double* values, Eigen::Index n, Eigen::Index& missing, double& squares) {
  double partial[4] = {0, 0, 0, 0}, partial_squares[4] = {0, 0, 0, 0};
  Eigen::Index nan_count = 0;
  Eigen::Index r = 0;
  for (; r + 4 <= n; r += 4) {
    for (int k = 0; k < 4; ++k) {
      const double value = values[r + k];
      const bool is_nan = std::isnan(value);
      nan_count += is_nan;
      const double observed = is_nan ? 0.0 : value;
      partial[k] += observed;
      partial_squares[k] += observed * observed;
    }
  }
  for (; r < n; ++r) {
    const bool is_nan = std::isnan(values[r]);
    nan_count += is_nan;
    const double observed = is_nan ? 0.0 : values[r];
    partial[0] += observed;
    partial_squares[0] += observed * observed;
  }
  missing = nan_count;
  squares = (partial_squares[0] + partial_squares[1]) + (partial_squares[2] + partial_squares[3]);
  return (partial[0] + partial[1]) + (partial[2] + partial[3]);
}

}  // namespace

void gather_genotypes(const Eigen::MatrixXd& dosages, const std::vector<Eigen::Index>& rows, std::size_t begin, std::size_t end,
                      bool mean_fill, GatheredGenotypes& out) {
  const Eigen::Index n = static_cast<Eigen::Index>(rows.size());
  const Eigen::Index width = static_cast<Eigen::Index>(end - begin);
  // Rows are increasing, so as many rows as the matrix has means every row in order: a plain copy.
  const bool every_row = n == dosages.rows();
  out.missing.assign(static_cast<std::size_t>(width), {});
  out.means.assign(static_cast<std::size_t>(width), 0.0);
  out.squares.assign(static_cast<std::size_t>(width), 0.0);
  out.in_place = false;
  if (every_row) {
    bool complete = true;
    for (Eigen::Index j = 0; j < width && complete; ++j) {
      Eigen::Index missing_count = 0;
      const double sum =
          sum_observed(dosages.col(static_cast<Eigen::Index>(begin) + j).data(), n, missing_count, out.squares[static_cast<std::size_t>(j)]);
      out.means[static_cast<std::size_t>(j)] = n > 0 ? sum / static_cast<double>(n) : 0.0;
      complete = missing_count == 0;
    }
    if (complete) {
      out.in_place = true;
      out.values.resize(0, 0);
      return;
    }
  }
  out.values.resize(n, width);
  for (Eigen::Index j = 0; j < width; ++j) {
    const double* column = dosages.col(static_cast<Eigen::Index>(begin) + j).data();
    double* values = out.values.col(j).data();
    if (every_row) {
      std::memcpy(values, column, sizeof(double) * static_cast<std::size_t>(n));
    } else {
      for (Eigen::Index r = 0; r < n; ++r) values[r] = column[rows[static_cast<std::size_t>(r)]];
    }
    Eigen::Index missing_count = 0;
    const double sum = sum_observed(values, n, missing_count, out.squares[static_cast<std::size_t>(j)]);
    auto& missing = out.missing[static_cast<std::size_t>(j)];
    if (missing_count > 0) {
      missing.reserve(static_cast<std::size_t>(missing_count));
      for (Eigen::Index r = 0; r < n; ++r)
        if (std::isnan(values[r])) missing.push_back(r);
    }
    const double observed = static_cast<double>(n - missing_count);
    const double mean = observed > 0 ? sum / observed : 0.0;
    out.means[static_cast<std::size_t>(j)] = mean;
    for (auto r : missing) values[r] = mean_fill ? mean : 0.0;
  }
}

}  // namespace kohort::assoc::detail
