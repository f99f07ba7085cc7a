#pragma once
// Rank-based inverse normal transformation of quantitative traits (plink2's
// --pheno-quantile-normalize, REGENIE's --apply-rint): outliers stop driving the fit, the order of
// the values is kept.
#include <Eigen/Core>

namespace kohort::assoc {

// Replaces the observed (not NaN) values of `values` with the standard normal quantiles of their
// ranks, Phi^-1((rank - 1/2) / n) over the n observed values; tied values share their mean rank.
// NaN stays NaN.
void quantile_normalize(Eigen::Ref<Eigen::VectorXd> values);

}  // namespace kohort::assoc
