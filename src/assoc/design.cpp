#include "assoc/design.h"

namespace kohort::assoc {

std::vector<Eigen::Index> independent_columns(const Eigen::MatrixXd& design, double tolerance) {
  std::vector<Eigen::Index> kept;
  Eigen::MatrixXd basis(design.rows(), design.cols());  // orthonormal, one column per kept column
  Eigen::Index size = 0;
  for (Eigen::Index c = 0; c < design.cols(); ++c) {
    const double norm = design.col(c).norm();
    if (!(norm > 0)) continue;
    Eigen::VectorXd rest = design.col(c);
    // Gram-Schmidt twice: once leaves rounding of the order of the projections' size, which for
    // a column that is nearly a combination of the others is the size of what is left.
    for (int pass = 0; pass < 2; ++pass) {
      for (Eigen::Index b = 0; b < size; ++b) rest -= basis.col(b).dot(rest) * basis.col(b);
    }
    const double rest_norm = rest.norm();
    if (!(rest_norm > tolerance * norm)) continue;
    basis.col(size++) = rest / rest_norm;
    kept.push_back(c);
  }
  return kept;
}

std::vector<std::size_t> left_out_covariates(const std::vector<Eigen::Index>& kept, Eigen::Index design_columns) {
  std::vector<bool> is_kept(static_cast<std::size_t>(design_columns), false);
  for (auto c : kept) is_kept[static_cast<std::size_t>(c)] = true;
  std::vector<std::size_t> left_out;
  for (std::size_t c = 1; c < is_kept.size(); ++c)
    if (!is_kept[c]) left_out.push_back(c - 1);
  return left_out;
}

Eigen::MatrixXd select_columns(const Eigen::MatrixXd& design, const std::vector<Eigen::Index>& columns) {
  Eigen::MatrixXd out(design.rows(), static_cast<Eigen::Index>(columns.size()));
  for (std::size_t c = 0; c < columns.size(); ++c) out.col(static_cast<Eigen::Index>(c)) = design.col(columns[c]);
  return out;
}

}  // namespace kohort::assoc
