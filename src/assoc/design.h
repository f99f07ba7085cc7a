#pragma once
// Which covariates a set of samples can estimate. A covariate that is constant among a phenotype's
// samples (sex, for a disease of one sex) or a combination of the columns before it is left out
// for that phenotype, as R's lm leaves out aliased coefficients, instead of failing the fit.
#include <Eigen/Core>
#include <vector>

namespace kohort::assoc {

// The columns of `design` to keep, in order: each column whose part not explained by the kept
// columns before it is more than `tolerance` of its norm (R's lm uses 1e-7). A column of zeros
// is never kept.
std::vector<Eigen::Index> independent_columns(const Eigen::MatrixXd& design, double tolerance = 1e-7);

// The covariates a design [intercept, covariates] leaves out, given the columns it keeps (from
// independent_columns), as indexes of the covariates: design column c is covariate c - 1.
std::vector<std::size_t> left_out_covariates(const std::vector<Eigen::Index>& kept, Eigen::Index design_columns);

// `design` restricted to `columns`.
Eigen::MatrixXd select_columns(const Eigen::MatrixXd& design, const std::vector<Eigen::Index>& columns);

}  // namespace kohort::assoc
