#include "assoc/gather.h"

#include <cmath>

namespace kohort::assoc::detail {

void gather_genotypes(const Eigen::MatrixXd& dosages, const std::vector<Eigen::Index>& rows, std::size_t begin, std::size_t end,
                      bool mean_fill, GatheredGenotypes& out) {
  const Eigen::Index n = static_cast<Eigen::Index>(rows.size());
  const Eigen::Index width = static_cast<Eigen::Index>(end - begin);
  out.values.resize(n, width);
  out.missing.assign(static_cast<std::size_t>(width), {});
  out.means.assign(static_cast<std::size_t>(width), 0.0);
  for (Eigen::Index j = 0; j < width; ++j) {
    const double* column = dosages.col(static_cast<Eigen::Index>(begin) + j).data();
    auto& missing = out.missing[static_cast<std::size_t>(j)];
    double sum = 0;
    for (Eigen::Index r = 0; r < n; ++r) {
      double value = column[rows[static_cast<std::size_t>(r)]];
      if (std::isnan(value)) missing.push_back(r); else sum += value;
      out.values(r, j) = value;
    }
    double observed = static_cast<double>(n - static_cast<Eigen::Index>(missing.size()));
    double mean = observed > 0 ? sum / observed : 0.0;
    out.means[static_cast<std::size_t>(j)] = mean;
    for (auto r : missing) out.values(r, j) = mean_fill ? mean : 0.0;
  }
}

}  // namespace kohort::assoc::detail
