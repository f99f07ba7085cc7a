#include "stats/logistic.h"

#include <cmath>

#include "core/error.h"
#include "core/parallel.h"
#include "stats/linear_algebra.h"

namespace kohort::stats {
namespace {

constexpr std::size_t kChunk = 1 << 14;

double design(const std::vector<double>& x, std::size_t n, std::size_t i, std::size_t j, bool intercept) {
  if (intercept) return j == 0 ? 1.0 : x[(j - 1) * n + i];
  return x[j * n + i];
}

double binomial_deviance(double y, double mu) {
  double d = 0;
  if (y > 0) d += y * std::log(y / mu);
  if (y < 1) d += (1 - y) * std::log((1 - y) / (1 - mu));
  return 2 * d;
}

}  // namespace

std::vector<double> logistic_predict(const LogisticFit& fit, const std::vector<double>& x, std::size_t n, std::size_t p,
                                     bool intercept) {
  const std::size_t q = p + (intercept ? 1 : 0);
  std::vector<double> prob(n);
  for (std::size_t i = 0; i < n; ++i) {
    double eta = 0;
    for (std::size_t j = 0; j < q; ++j) eta += design(x, n, i, j, intercept) * fit.beta[j];
    prob[i] = 1 / (1 + std::exp(-eta));
  }
  return prob;
}

LogisticFit fit_logistic(const std::vector<double>& x, std::size_t n, std::size_t p, const std::vector<double>& y,
                         const std::vector<double>& weight, const LogisticOptions& options) {
  if (x.size() != n * p || y.size() != n || (!weight.empty() && weight.size() != n))
    throw Error("fit_logistic: inconsistent data sizes");
  if (n == 0) throw InputError("no rows to fit the logistic model on");
  const bool icpt = options.intercept;
  const std::size_t q = p + (icpt ? 1 : 0);
  auto w = [&](std::size_t i) { return weight.empty() ? 1.0 : weight[i]; };
  // glm's binomial starting values: mu = (w y + 0.5) / (w + 1).
  std::vector<double> eta(n), mu(n);
  for (std::size_t i = 0; i < n; ++i) {
    mu[i] = (w(i) * y[i] + 0.5) / (w(i) + 1);
    eta[i] = std::log(mu[i] / (1 - mu[i]));
  }
  auto deviance = [&] {
    double d = 0;
    for (std::size_t i = 0; i < n; ++i) d += w(i) * binomial_deviance(y[i], mu[i]);
    return d;
  };
  LogisticFit fit;
  double dev_old = deviance();
  const std::size_t chunks = (n + kChunk - 1) / kChunk;
  std::vector<double> xtwx_parts(chunks * q * q), xtwz_parts(chunks * q);
  std::vector<double> xtwx(q * q);
  for (int iter = 1; iter <= options.max_iter; ++iter) {
    // X'WX and X'Wz by fixed chunks summed in order: the same at any thread count.
    parallel_for(n, kChunk, [&](std::size_t b, std::size_t e) {
      double* m = &xtwx_parts[(b / kChunk) * q * q];
      double* v = &xtwz_parts[(b / kChunk) * q];
      std::fill(m, m + q * q, 0.0);
      std::fill(v, v + q, 0.0);
      std::vector<double> row(q);
      for (std::size_t i = b; i < e; ++i) {
        const double var = mu[i] * (1 - mu[i]);
        const double wt = w(i) * var;
        if (wt == 0) continue;
        const double z = eta[i] + (y[i] - mu[i]) / var;
        for (std::size_t j = 0; j < q; ++j) row[j] = design(x, n, i, j, icpt);
        for (std::size_t a = 0; a < q; ++a) {
          v[a] += wt * row[a] * z;
          for (std::size_t c = 0; c <= a; ++c) m[a * q + c] += wt * row[a] * row[c];
        }
      }
    });
    std::fill(xtwx.begin(), xtwx.end(), 0.0);
    std::vector<double> xtwz(q, 0.0);
    for (std::size_t c = 0; c < chunks; ++c) {
      for (std::size_t a = 0; a < q * q; ++a) xtwx[a] += xtwx_parts[c * q * q + a];
      for (std::size_t a = 0; a < q; ++a) xtwz[a] += xtwz_parts[c * q + a];
    }
    for (std::size_t a = 0; a < q; ++a)
      for (std::size_t c = 0; c < a; ++c) xtwx[c * q + a] = xtwx[a * q + c];
    CholeskyFactor chol(xtwx, q, 1e-11);
    fit.beta = chol.solve(xtwz);
    fit.rank = chol.rank();
    for (std::size_t i = 0; i < n; ++i) {
      double e = 0;
      for (std::size_t j = 0; j < q; ++j) e += design(x, n, i, j, icpt) * fit.beta[j];
      eta[i] = e;
      mu[i] = 1 / (1 + std::exp(-e));
    }
    const double dev = deviance();
    fit.iterations = iter;
    fit.deviance = dev;
    if (std::fabs(dev - dev_old) / (std::fabs(dev) + 0.1) < options.eps) {
      fit.converged = true;
      break;
    }
    dev_old = dev;
  }
  // As glm: the variance is the inverse of the last X'WX, whose weights come from the estimate
  // before the last update (at convergence the difference is below the tolerance anyway).
  fit.var = CholeskyFactor(xtwx, q, 1e-11).inverse();
  return fit;
}

}  // namespace kohort::stats
