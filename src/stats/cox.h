#pragma once
// Cox proportional hazards by Newton-Raphson, as R's survival::coxph: Efron or Breslow ties,
// strata, (start, stop] counting-process data, case weights, robust (cluster) sandwich variance.
// Sorting is done once; each iteration is one reverse cumulative pass, O(n p^2).
#include <cstddef>
#include <string>
#include <vector>

namespace kohort::stats {

struct CoxData {
  std::size_t n = 0, p = 0;
  std::vector<double> start;   // entry times; empty for right-censored data
  std::vector<double> stop;    // event or censoring times
  std::vector<double> event;   // 1 = event, 0 = censored
  std::vector<double> weight;  // case weights; empty = all 1
  std::vector<int> strata;     // stratum per row; empty = one stratum
  std::vector<int> cluster;    // cluster per row for the robust variance; empty = none
  std::vector<double> x;       // covariates, column-major: x[j * n + i]
  // Instead of x: covariate j's n values at x_columns[j] (e.g. a table's own columns, saving a
  // copy); they must outlive the fit. Used when non-empty, x then left empty.
  std::vector<const double*> x_columns;
  const double* column(std::size_t j) const { return x_columns.empty() ? &x[j * n] : x_columns[j]; }
};

enum class Ties { kEfron, kBreslow };

struct CoxOptions {
  Ties ties = Ties::kEfron;
  int max_iter = 20;             // coxph.control(iter.max)
  double eps = 1e-9;             // convergence: |1 - loglik_old / loglik_new| <= eps
  double toler_chol = 1.818989403545856e-12;  // .Machine$double.eps^0.75
  bool robust = false;           // robust variance even without clusters (each row its own cluster)
  bool timefix = true;           // merge near-equal times first, as coxph(timefix = TRUE)
};

struct CoxFit {
  std::vector<double> beta;
  std::vector<bool> aliased;       // covariates dropped as linearly dependent (R reports NA)
  std::vector<double> var;         // p x p row-major, inverse information at beta
  std::vector<double> robust_var;  // p x p; empty unless robust or clustered
  double loglik_null = 0, loglik = 0;
  double score_test = 0;           // score test of beta = 0
  double wald_test = 0;            // beta' var^-1 beta (robust variance when present, as R)
  double lr_test = 0;
  int df = 0;                      // rank of the information matrix
  int iterations = 0;
  bool converged = false;
  std::size_t n = 0, events = 0;   // rows used, event rows
};

CoxFit fit_cox(const CoxData& data, const CoxOptions& options);

// The pieces of the partial likelihood at `beta` (for score tests from other stages); times are
// used as given (apply merge_near_tied_times first to match fit_cox's timefix).
struct CoxDerivatives {
  double loglik = 0;
  std::vector<double> score;        // p
  std::vector<double> information;  // p x p row-major
};
CoxDerivatives cox_derivatives(const CoxData& data, const std::vector<double>& beta, Ties ties);

}  // namespace kohort::stats
