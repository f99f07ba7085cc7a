#include "assoc/logistic.h"

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "assoc/design.h"
#include "assoc/gather.h"
#include "assoc/logistic_sums.h"
#include "assoc/packed_products.h"
#include "assoc/pvalue.h"
#include "core/error.h"
#include "core/log.h"
#include "core/parallel.h"

namespace kohort::assoc {
namespace {

double softplus(double x) { return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); }
double logistic(double x) { return x >= 0 ? 1.0 / (1.0 + std::exp(-x)) : std::exp(x) / (1.0 + std::exp(x)); }

double log_add(double a, double b) {
  if (a < b) std::swap(a, b);
  if (b == -std::numeric_limits<double>::infinity()) return a;
  return a + std::log1p(std::exp(b - a));
}

// The sums over samples run over chunks of rows whose arrays stay in the first-level cache, each
// chunk's terms computed in one pass: over whole columns, the dozens of passes through arrays of
// all samples (and their allocation) took most of a Firth fit's time. A sum is the same fold of
// chunk totals at any thread count.
constexpr Eigen::Index kChunkRows = 256;
using ChunkArray = Eigen::Array<double, Eigen::Dynamic, 1, 0, kChunkRows, 1>;  // on the stack

// The loop of ChunkTerms::compute, on plain pointers that do not alias: with Eigen's accessors
// GCC left it scalar.
void probabilities(const double* __restrict eta, const double* __restrict e, Eigen::Index m, double* __restrict mu,
                   double* __restrict variance) {
  for (Eigen::Index i = 0; i < m; ++i) {
    const double r = 1.0 / (1.0 + e[i]);
    mu[i] = (eta[i] < 0 ? e[i] : 1.0) * r;
    variance[i] = e[i] * r * r;
  }
}

struct ChunkTerms {
  ChunkArray e, mu, variance;
  void compute(const ChunkArray& eta) {
    const Eigen::Index m = eta.size();
    e = (-eta.abs()).exp();
    mu.resize(m);
    variance.resize(m);
    probabilities(eta.data(), e.data(), m, mu.data(), variance.data());
  }
  // The sum of log(1 + exp(eta)) = max(eta, 0) + log(1 + e), its logarithms taken as one of the
  // product: a chunk's 256 factors in [1, 2] cannot overflow, and a logarithm per sample was a
  // sixth of a binary run. The product's rounding (about 3e-14 relative) and that of 1 + e shift
  // a log-likelihood of thousands by about 1e-12.
  double softplus_sum(const ChunkArray& eta) const { return eta.max(0.0).sum() + std::log((1.0 + e).prod()); }
};

// Log-likelihood (plus Firth's penalty) at `beta`; fills mu, w and the factor of X'WX.
double evaluate(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, const Eigen::VectorXd& beta, bool firth, Eigen::VectorXd& mu,
                Eigen::VectorXd& w, Eigen::LLT<Eigen::MatrixXd>& factor, bool& ok) {
  const Eigen::Index n = x.rows(), k = x.cols();
  mu.resize(n);
  w.resize(n);
  double loglik = 0;
  Eigen::MatrixXd information = Eigen::MatrixXd::Zero(k, k);
  ChunkTerms terms;
  for (Eigen::Index first = 0; first < n; first += kChunkRows) {
    const Eigen::Index m = std::min(kChunkRows, n - first);
    const auto xc = x.middleRows(first, m);
    const ChunkArray eta = (xc * beta).array();
    terms.compute(eta);
    mu.segment(first, m) = terms.mu.matrix();
    w.segment(first, m) = terms.variance.matrix();
    loglik += (y.segment(first, m).array() * eta).sum() - terms.softplus_sum(eta);
    // The lower triangle, with the partial sums in registers: for a few columns, Eigen's general
    // matrix product spent more time packing than multiplying.
    detail::add_weighted_cross_products(x.data() + first, static_cast<std::size_t>(n), static_cast<std::size_t>(k), terms.variance.data(),
                                        static_cast<std::size_t>(m), information.data());
  }
  information.triangularView<Eigen::StrictlyUpper>() = information.transpose();
  factor.compute(information);
  ok = factor.info() == Eigen::Success;
  if (firth && ok) {
    double log_det = 0;
    for (Eigen::Index a = 0; a < k; ++a) log_det += 2 * std::log(factor.matrixL()(a, a));
    loglik += 0.5 * log_det;
  }
  return loglik;
}

// X' (y - mu), plus with Firth's penalty X' (h (1/2 - mu)) for the leverages h_i = w_i x_i'
// (X'WX)^-1 x_i = w_i |L^-1 x_i|^2, X'WX = L L'.
Eigen::VectorXd score(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, const Eigen::VectorXd& mu, const Eigen::VectorXd& w,
                      const Eigen::LLT<Eigen::MatrixXd>& factor, bool firth) {
  const Eigen::Index n = x.rows(), k = x.cols();
  if (!firth) return x.transpose() * (y - mu);
  const Eigen::MatrixXd l = factor.matrixL();
  const Eigen::VectorXd inverse_diagonal = l.diagonal().cwiseInverse();  // multiplied, not divided: divisions were half the fit's time
  Eigen::VectorXd total = Eigen::VectorXd::Zero(k);
  ChunkArray quadratic;
  for (Eigen::Index first = 0; first < n; first += kChunkRows) {
    const Eigen::Index m = std::min(kChunkRows, n - first);
    quadratic.resize(m);
    detail::leverage_quadratic(x.data() + first, static_cast<std::size_t>(n), static_cast<std::size_t>(k), l.data(), inverse_diagonal.data(),
                               static_cast<std::size_t>(m), quadratic.data());
    const auto mu_c = mu.segment(first, m).array();
    const ChunkArray residual = y.segment(first, m).array() - mu_c + w.segment(first, m).array() * quadratic * (0.5 - mu_c);
    detail::add_cross_products(x.data() + first, static_cast<std::size_t>(n), static_cast<std::size_t>(k), residual.data(),
                               static_cast<std::size_t>(m), total.data());
  }
  return total;
}

}  // namespace

LogisticFit fit_logistic(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, bool firth, const Eigen::VectorXd& start,
                         int max_iterations, Eigen::Index fitted_columns) {
  const Eigen::Index k = x.cols();
  const Eigen::Index fitted = fitted_columns >= 0 && fitted_columns < k ? fitted_columns : k;
  LogisticFit fit;
  Eigen::VectorXd beta = start.size() == k ? start : Eigen::VectorXd::Zero(k);
  Eigen::VectorXd mu, w;
  Eigen::LLT<Eigen::MatrixXd> factor;
  bool ok = true;
  double loglik = evaluate(x, y, beta, firth, mu, w, factor, ok);
  if (!ok) return fit;
  // Firth steps scale the penalised score by the unpenalised information. For a variant with a
  // single carrier the penalised likelihood curves about twice as much along the genotype, so the
  // steps overshoot by half and can settle into a cycle between two points 1e-4 apart (whose
  // likelihoods are equal to their rounding): the fit never converged, where plink2 reports it.
  // Once a step reverses the last one, steps are halved, which converges from such a cycle at
  // once; fits that converge without cycling are not affected.
  double damping = 1.0;
  Eigen::VectorXd last_step;
  for (int iteration = 1; iteration <= max_iterations; ++iteration) {
    Eigen::VectorXd step;
    if (fitted == k) {
      step = factor.solve(score(x, y, mu, w, factor, firth));
    } else {
      // The fitted coefficients' block of X'WX is L11 L11', L11 the leading block of its factor.
      const Eigen::MatrixXd l = factor.matrixL();
      const auto l11 = l.topLeftCorner(fitted, fitted).triangularView<Eigen::Lower>();
      step = Eigen::VectorXd::Zero(k);
      step.head(fitted) = l11.transpose().solve(l11.solve(score(x, y, mu, w, factor, firth).head(fitted)));
    }
    if (firth && damping == 1.0 && last_step.size() == k && (step + last_step).norm() < 1e-3 * step.norm()) damping = 0.5;
    step *= damping;
    // Cap the step so that separation grows the estimate gradually rather than overflowing.
    double largest = step.cwiseAbs().maxCoeff();
    if (largest > 5.0) step *= 5.0 / largest;
    // A Firth fit's full step this small changes nothing it reports (beta and SE move by the step,
    // the log-likelihood by its square): it has converged where it stands, without another pass
    // over the samples (a fifth of a Firth fit's passes). Not so the null model of the score test:
    // its score, a sum over every sample of g (y - mu), moved by 6e-7 relative without the step.
    if (firth && damping == 1.0 && largest < 1e-10 * (1.0 + beta.cwiseAbs().maxCoeff())) {
      fit.converged = true;
      break;
    }
    Eigen::VectorXd next;
    double next_loglik = loglik;
    bool next_ok = false;
    Eigen::VectorXd next_mu, next_w;
    Eigen::LLT<Eigen::MatrixXd> next_factor;
    for (int halving = 0; halving < 30; ++halving) {
      next = beta + step;
      next_loglik = evaluate(x, y, next, firth, next_mu, next_w, next_factor, next_ok);
      if (next_ok && next_loglik >= loglik - 1e-12 * std::fabs(loglik)) break;
      step *= 0.5;
    }
    if (!next_ok) break;
    beta = next;
    loglik = next_loglik;
    mu.swap(next_mu);
    w.swap(next_w);
    factor = next_factor;
    fit.iterations = iteration;
    last_step = step;
    if (step.cwiseAbs().maxCoeff() < 1e-10 * (1.0 + beta.cwiseAbs().maxCoeff())) {
      fit.converged = true;
      break;
    }
  }
  if (beta.cwiseAbs().maxCoeff() > 30.0 && !firth) fit.converged = false;  // separation: estimates run away
  fit.coefficients = beta;
  fit.log_likelihood = loglik;
  Eigen::MatrixXd inverse = factor.solve(Eigen::MatrixXd::Identity(k, k));
  fit.standard_errors = inverse.diagonal().cwiseSqrt();
  return fit;
}

namespace {

// The penalised log-likelihood of fit_firth_offset at beta, its first derivative and its second.
struct OffsetFirthTerms {
  double log_likelihood = 0, score = 0, curvature = 0, information = 0;
};

OffsetFirthTerms offset_firth_terms(const Eigen::VectorXd& g, const Eigen::VectorXd& y, const Eigen::VectorXd& offset, double beta) {
  // With I(b) = sum w g^2: I' = sum w (1 - 2 mu) g^3 and I'' = sum w (1 - 6 w) g^4, so the
  // penalty's derivatives are I' / 2I and (I'' / I - (I' / I)^2) / 2.
  const Eigen::Index n = g.size();
  double loglik = 0, score = 0, information = 0, first = 0, second = 0;
  ChunkTerms terms;
  for (Eigen::Index begin = 0; begin < n; begin += kChunkRows) {
    const Eigen::Index m = std::min(kChunkRows, n - begin);
    const auto gc = g.array().segment(begin, m);
    const ChunkArray eta = offset.array().segment(begin, m) + beta * gc;
    terms.compute(eta);
    const auto yc = y.array().segment(begin, m);
    loglik += (yc * eta).sum() - terms.softplus_sum(eta);
    score += (gc * (yc - terms.mu)).sum();
    const ChunkArray wg2 = terms.variance * gc.square();
    information += wg2.sum();
    first += (wg2 * gc * (1.0 - 2.0 * terms.mu)).sum();
    second += (wg2 * gc.square() * (1.0 - 6.0 * terms.variance)).sum();
  }
  OffsetFirthTerms out;
  out.information = information;
  out.log_likelihood = loglik + 0.5 * std::log(information);
  out.score = score + 0.5 * first / information;
  out.curvature = -information + 0.5 * (second / information - (first / information) * (first / information));
  return out;
}

}  // namespace

double firth_offset_log_likelihood(const Eigen::VectorXd& g, const Eigen::VectorXd& y, const Eigen::VectorXd& offset, double beta) {
  return offset_firth_terms(g, y, offset, beta).log_likelihood;
}

LogisticFit fit_firth_offset(const Eigen::VectorXd& g, const Eigen::VectorXd& y, const Eigen::VectorXd& offset, double start,
                             int max_iterations) {
  LogisticFit fit;
  double beta = std::isfinite(start) ? start : 0.0;
  OffsetFirthTerms terms = offset_firth_terms(g, y, offset, beta);
  if (!(terms.information > 0)) return fit;  // a predictor of zeros: nothing to fit
  for (int iteration = 1; iteration <= max_iterations; ++iteration) {
    // Newton's step where the penalised likelihood curves downwards, else a scoring step by the
    // information; capped, then halved until the likelihood does not fall.
    double step = terms.curvature < 0 ? -terms.score / terms.curvature : terms.score / terms.information;
    if (std::fabs(step) > 5.0) step = std::copysign(5.0, step);
    if (std::fabs(step) < 1e-10 * (1.0 + std::fabs(beta))) {  // converged where it stands (as fit_logistic)
      fit.converged = true;
      break;
    }
    OffsetFirthTerms next;
    bool improved = false;
    for (int halving = 0; halving < 30 && !improved; ++halving) {
      next = offset_firth_terms(g, y, offset, beta + step);
      improved = std::isfinite(next.log_likelihood) && next.log_likelihood >= terms.log_likelihood - 1e-12 * std::fabs(terms.log_likelihood);
      if (!improved) step *= 0.5;
    }
    if (!improved) break;
    beta += step;
    terms = next;
    fit.iterations = iteration;
    if (std::fabs(step) < 1e-10 * (1.0 + std::fabs(beta))) {
      fit.converged = true;
      break;
    }
  }
  fit.coefficients = Eigen::VectorXd::Constant(1, beta);
  fit.standard_errors = Eigen::VectorXd::Constant(1, 1.0 / std::sqrt(terms.information));
  fit.log_likelihood = terms.log_likelihood;
  return fit;
}

double spa_log_p(const Eigen::VectorXd& g, const Eigen::VectorXd& mu, double u) {
  Eigen::VectorXd eta = mu.unaryExpr([](double m) { return std::log(m / (1 - m)); });
  Eigen::VectorXd base = eta.unaryExpr([](double e) { return softplus(e); });
  return spa_log_p(g, mu, eta, base, u);
}

double spa_log_p(const Eigen::VectorXd& g, const Eigen::VectorXd& mu, const Eigen::VectorXd& eta, const Eigen::VectorXd& base, double u) {
  const auto ga = g.array();
  double mean_term = g.dot(mu);  // sum_i mu_i g_i
  // K'(t), K''(t), K'''(t) and K(t) at t, chunk by chunk: one exponential per sample.
  const Eigen::Index n = g.size();
  auto derivatives = [&](double t, double& k1, double& k2, double& k3, double& k0) {
    double sum1 = 0, sum2 = 0, sum3 = 0, sum0 = 0;
    ChunkTerms terms;
    for (Eigen::Index first = 0; first < n; first += kChunkRows) {
      const Eigen::Index m = std::min(kChunkRows, n - first);
      const auto gc = ga.segment(first, m);
      const ChunkArray shifted = eta.array().segment(first, m) + t * gc;
      terms.compute(shifted);
      sum1 += (gc * terms.mu).sum();
      const ChunkArray second = gc.square() * terms.variance;
      sum2 += second.sum();
      sum3 += (second * gc * (1.0 - 2.0 * terms.mu)).sum();
      sum0 += terms.softplus_sum(shifted) - base.segment(first, m).sum();
    }
    k1 = sum1 - mean_term;
    k2 = sum2;
    k3 = sum3;
    k0 = sum0 - t * mean_term;
  };
  // K''(0) and K'''(0), from the null model's probabilities (no exponentials).
  const Eigen::ArrayXd variance_terms = ga.square() * mu.array() * (1.0 - mu.array());
  const double variance0 = variance_terms.sum();
  const double third0 = (variance_terms * ga * (1.0 - 2.0 * mu.array())).sum();
  // One tail: P(U >= q) for q > 0 (upper) or P(U <= q) for q < 0 (lower), by Lugannani-Rice
  // in Barndorff-Nielsen's form. Halley's steps on K'(t) = q (the third derivative costs two
  // multiplications a sample beside the first two), from the root of the quadratic K''(0) t +
  // K'''(0) t^2 / 2 = q: Newton's steps from the normal approximation's root took 4 passes a tail
  // for common variants and 7 for rare ones, whose K' is far from linear.
  auto tail = [&](double q) {
    // K(t) costs little beside the derivatives, so each pass computes it; once the next step is
    // below 1e-10, t is used as it stands, which moves the tail by about as little.
    double t = 0, k1, k2, k3, k0;
    if (variance0 > 0) {
      const double discriminant = variance0 * variance0 + 2 * third0 * q;
      t = discriminant > 0 ? 2 * q / (variance0 + std::sqrt(discriminant)) : q / variance0;
    }
    double low = -std::numeric_limits<double>::infinity(), high = std::numeric_limits<double>::infinity();
    bool converged = false;
    for (int iteration = 0; iteration < 100 && !converged; ++iteration) {
      derivatives(t, k1, k2, k3, k0);
      double f = k1 - q;
      if (f > 0) high = std::min(high, t); else low = std::max(low, t);
      double next = t;
      if (k2 > 0) {
        const double newton = f / k2, correction = 1 - 0.5 * newton * k3 / k2;
        // Halley's step; Newton's where the correction is not a modest one.
        next = t - (correction > 0.5 && correction < 2 ? newton / correction : newton);
      }
      // The bracket's ends count as inside: a step that lands on the point where an earlier pass
      // found K'(t) = q to the last bit is the root, and bisecting away from it cost 20 passes
      // (a fifth of all the passes of a rare trait's scan).
      if (!(next >= low && next <= high)) {
        next = std::isfinite(low) && std::isfinite(high) ? 0.5 * (low + high) : (f > 0 ? t - 1 - std::fabs(t) : t + 1 + std::fabs(t));
      }
      converged = std::fabs(next - t) < 1e-10 * (1 + std::fabs(t));
      if (!converged) t = next;
    }
    if (!converged) derivatives(t, k1, k2, k3, k0);
    double w = (t >= 0 ? 1.0 : -1.0) * std::sqrt(std::max(0.0, 2 * (t * q - k0)));
    double v = t * std::sqrt(k2);
    if (std::fabs(w) < 1e-8 || v / w <= 0) return std::numeric_limits<double>::quiet_NaN();
    double x = w + std::log(v / w) / w;
    return q > 0 ? log_normal_upper(x) : log_normal_upper(-x);
  };
  double q = std::fabs(u);
  double upper = tail(q), lower = tail(-q);
  if (std::isnan(upper) || std::isnan(lower)) return std::numeric_limits<double>::quiet_NaN();
  return std::min(0.0, log_add(upper, lower));
}

// The samples of the phenotypes with one pattern of missing values, and their design: held once
// for all of them, since hundreds of binary endpoints usually share one set of samples.
struct LogisticAssociation::SampleSet {
  std::vector<Eigen::Index> rows;
  Eigen::MatrixXd x;  // rows x K, intercept first, covariates centred and scaled on these samples
  std::vector<std::size_t> dropped;  // covariates left out of x: these samples cannot estimate them
  // For .bed rows read as codes (prepare_packed): each row's .bed column, and the reverse.
  std::vector<std::uint32_t> positions;
  std::vector<std::int32_t> row_of_position;
};

// Per phenotype: its samples, and the fitted null model. W X is not kept: it is computed where
// needed (the same bits each time), so a phenotype holds 5 doubles per sample.
struct LogisticAssociation::NullModel {
  std::shared_ptr<SampleSet> samples;
  const std::vector<Eigen::Index>& rows() const { return samples->rows; }
  const Eigen::MatrixXd& x() const { return samples->x; }
  Eigen::MatrixXd xw() const { return w.asDiagonal() * samples->x; }
  Eigen::VectorXd y, mu, w;
  Eigen::VectorXd eta, softplus_eta;  // linear predictor and log(1 + exp(eta)), for SPA
  Eigen::LLT<Eigen::MatrixXd> information;  // X'WX
  Eigen::VectorXd coefficients;
  Eigen::VectorXd firth_coefficients;  // the covariates' Firth fit (the tests' nulls start there)
  Eigen::VectorXd firth_offset;        // X b of that fit, for approximate Firth fits
  std::size_t cases = 0, controls = 0;
  std::unique_ptr<PackedProducts> packed;  // when all tables fit the memory limit
};

LogisticAssociation::LogisticAssociation(const Eigen::MatrixXd& covariates, const Eigen::MatrixXd& phenotypes,
                                         const BinaryOptions& options, const std::vector<std::string>& names)
    : options_(options) {
  const Eigen::Index n = phenotypes.rows(), k = covariates.cols() + 1;
  std::map<std::vector<bool>, std::shared_ptr<SampleSet>> sample_sets;
  for (Eigen::Index p = 0; p < phenotypes.cols(); ++p) {
    auto model = std::make_unique<NullModel>();
    std::vector<bool> present(static_cast<std::size_t>(n));
    for (Eigen::Index i = 0; i < n; ++i) {
      bool in = !std::isnan(phenotypes(i, p));
      for (Eigen::Index c = 0; c < covariates.cols() && in; ++c) in = !std::isnan(covariates(i, c));
      if (!in) continue;
      double value = phenotypes(i, p);
      if (value != 0 && value != 1) throw InputError("binary phenotype values must be 0 or 1 (controls, cases), found " + std::to_string(value));
      present[static_cast<std::size_t>(i)] = true;
    }
    std::shared_ptr<SampleSet>& set = sample_sets[present];
    if (!set) {
      set = std::make_shared<SampleSet>();
      for (Eigen::Index i = 0; i < n; ++i)
        if (present[static_cast<std::size_t>(i)]) set->rows.push_back(i);
      const Eigen::Index set_rows = static_cast<Eigen::Index>(set->rows.size());
      // Covariates are centred and scaled on the phenotype's samples: Newton steps from zero then
      // converge for covariates such as birth year; the genotype's coefficient is unchanged.
      Eigen::VectorXd centre = Eigen::VectorXd::Zero(k), scale = Eigen::VectorXd::Ones(k);
      for (Eigen::Index c = 1; c < k; ++c) {
        double sum = 0, sum2 = 0;
        for (auto i : set->rows) sum += covariates(i, c - 1), sum2 += covariates(i, c - 1) * covariates(i, c - 1);
        double mean = set_rows > 0 ? sum / static_cast<double>(set_rows) : 0;
        double variance = set_rows > 1 ? (sum2 - sum * mean) / static_cast<double>(set_rows - 1) : 0;
        centre(c) = mean;
        if (variance > 0) scale(c) = std::sqrt(variance);
      }
      set->x.resize(set_rows, k);
      for (Eigen::Index r = 0; r < set_rows; ++r) {
        Eigen::Index i = set->rows[static_cast<std::size_t>(r)];
        set->x(r, 0) = 1;
        for (Eigen::Index c = 1; c < k; ++c) set->x(r, c) = (covariates(i, c - 1) - centre(c)) / scale(c);
      }
      // Covariates these samples cannot estimate are left out (see assoc/design.h): a covariate
      // constant among them would make X'WX singular and the null model fail.
      const std::vector<Eigen::Index> kept = independent_columns(set->x);
      if (static_cast<Eigen::Index>(kept.size()) < k) {
        set->dropped = left_out_covariates(kept, k);
        set->x = select_columns(set->x, kept);
      }
    }
    model->samples = set;
    const Eigen::Index rows = static_cast<Eigen::Index>(set->rows.size());
    model->y.resize(rows);
    for (Eigen::Index r = 0; r < rows; ++r) {
      model->y(r) = phenotypes(set->rows[static_cast<std::size_t>(r)], p);
      (model->y(r) == 1 ? model->cases : model->controls)++;
    }
    models_.push_back(std::move(model));
  }
  // The null models are fitted in parallel, one task per phenotype (thousands of endpoints of
  // hundreds of thousands of samples take minutes in turn); each fit is the same at any threads.
  std::vector<char> failed(models_.size(), 0);
  parallel_for(models_.size(), 1, [&](std::size_t begin, std::size_t end) {
    for (std::size_t p = begin; p < end; ++p) {
      NullModel& model = *models_[p];
      const Eigen::Index rows = static_cast<Eigen::Index>(model.rows().size());
      if (model.cases == 0 || model.controls == 0 || rows <= model.x().cols() + 1) continue;
      LogisticFit fit = fit_logistic(model.x(), model.y, false);
      if (!fit.converged) {
        failed[p] = 1;
        continue;
      }
      model.coefficients = fit.coefficients;
      Eigen::VectorXd eta = model.x() * fit.coefficients;
      model.mu = eta.unaryExpr([](double e) { return logistic(e); });
      model.eta = eta;
      model.softplus_eta = eta.unaryExpr([](double e) { return softplus(e); });
      model.w = model.mu.cwiseProduct(Eigen::VectorXd::Ones(rows) - model.mu);
      model.information.compute(model.x().transpose() * model.xw());
      if (options_.test == BinaryTest::score && options_.firth_threshold > 0) {
        model.firth_coefficients = fit_logistic(model.x(), model.y, true, fit.coefficients).coefficients;
        if (options_.firth_approx) model.firth_offset = model.x() * model.firth_coefficients;
      }
    }
  });
  for (std::size_t p = 0; p < models_.size(); ++p) {
    // One phenotype's failure should not stop a run over hundreds: warn and report it as NA.
    std::string name = p < names.size() ? names[p] : std::to_string(p + 1);
    const NullModel& model = *models_[p];
    const std::size_t rows = model.rows().size();
    if (model.cases == 0 || model.controls == 0) {
      log_warning("binary phenotype '" + name + "' has no " + (model.cases == 0 ? "cases" : "controls") + " among its " +
                  std::to_string(rows) + " samples with all covariates: its results are NA (NULL_MODEL_FAIL)");
    } else if (rows <= static_cast<std::size_t>(model.x().cols()) + 1) {
      log_warning("binary phenotype '" + name + "' has " + std::to_string(rows) + " samples with all covariates, too few for " +
                  std::to_string(model.x().cols() + 1) + " parameters: its results are NA (NULL_MODEL_FAIL)");
    }
    if (!failed[p]) continue;
    log_warning("the logistic null model does not converge for binary phenotype '" + name +
                "' (a covariate separates cases from controls, e.g. sex for a sex-specific disease: set the other sex to NA); "
                "its results are NA");
  }
}

LogisticAssociation::~LogisticAssociation() = default;

std::size_t LogisticAssociation::case_count(std::size_t p) const { return models_[p]->cases; }
const std::vector<std::size_t>& LogisticAssociation::dropped_covariates(std::size_t p) const { return models_[p]->samples->dropped; }
std::size_t LogisticAssociation::control_count(std::size_t p) const { return models_[p]->controls; }

void LogisticAssociation::test(const Eigen::MatrixXd& dosages, std::vector<VariantResult>& results) const {
  const std::size_t b_count = static_cast<std::size_t>(dosages.cols());
  results.assign(b_count * models_.size(), VariantResult{});
  // The phenotypes of one set of samples (a PheWAS's endpoints mostly share one) meet the same
  // gathered genotypes: gathering them for each phenotype took an eighth of a binary run.
  std::vector<std::pair<const SampleSet*, std::vector<std::size_t>>> by_set;  // in the phenotypes' order
  for (std::size_t p = 0; p < models_.size(); ++p) {
    if (models_[p]->mu.size() == 0) {  // no cases, no controls, or no null model: NA
      for (std::size_t j = 0; j < b_count; ++j) results[j * models_.size() + p].error = "NULL_MODEL_FAIL";
      continue;
    }
    const SampleSet* set = models_[p]->samples.get();
    auto found = std::find_if(by_set.begin(), by_set.end(), [&](const auto& entry) { return entry.first == set; });
    if (found == by_set.end()) found = by_set.insert(by_set.end(), {set, {}});
    found->second.push_back(p);
  }
  parallel_for(b_count, 32, [&](std::size_t begin, std::size_t end) {
    detail::GatheredGenotypes gathered;
    for (const auto& [set, members] : by_set) {
      detail::gather_genotypes(dosages, set->rows, begin, end, true, gathered);
      for (auto p : members) test_phenotype(*models_[p], p, dosages, gathered, begin, end, results);
    }
  });
}

void LogisticAssociation::test_phenotype(const NullModel& model, std::size_t p, const Eigen::MatrixXd& dosages,
                                         const detail::GatheredGenotypes& gathered, std::size_t begin, std::size_t end,
                                         std::vector<VariantResult>& results) const {
  const Eigen::Index rows = static_cast<Eigen::Index>(model.rows().size()), k = model.x().cols();
  const Eigen::Index width = static_cast<Eigen::Index>(end - begin);
  const std::size_t phenotypes = models_.size();

  const Eigen::Ref<const Eigen::MatrixXd> g = detail::genotype_matrix(gathered, dosages, begin, end);
  const auto& missing_rows = gathered.missing;
  const auto& means = gathered.means;

  // Counts, and the MaCH r-squared over the samples with a call (whatever the test does with the others).
  auto fill_counts = [&](VariantResult& out, std::size_t j, bool excluded) {
    const std::vector<Eigen::Index>& missing = missing_rows[j];
    std::size_t missing_cases = 0;
    for (auto r : missing) missing_cases += model.y(r) == 1;
    out.cases = static_cast<std::uint32_t>(model.cases - (excluded ? missing_cases : 0));
    out.controls = static_cast<std::uint32_t>(model.controls - (excluded ? missing.size() - missing_cases : 0));
    out.n = static_cast<std::uint32_t>(rows) - static_cast<std::uint32_t>(missing.size());
    out.info = mach_r2(means[j] * out.n, gathered.squares[j], out.n);
  };

  if (options_.test == BinaryTest::score) {
    const Eigen::VectorXd residual = model.y - model.mu;
    const Eigen::VectorXd u = g.transpose() * residual;
    const Eigen::MatrixXd b = model.xw().transpose() * g;  // K x width
    const Eigen::MatrixXd c = model.information.solve(b);
    const Eigen::VectorXd gwg = g.cwiseAbs2().transpose() * model.w;
    for (Eigen::Index j = 0; j < width; ++j) {
      VariantResult& out = results[(begin + static_cast<std::size_t>(j)) * phenotypes + p];
      fill_counts(out, static_cast<std::size_t>(j), false);
      out.effect_allele_frequency = means[static_cast<std::size_t>(j)] / 2;
      finish_score(model, u(j), b.col(j), gwg(j), [&] { return Eigen::VectorXd(g.col(j)); }, out);
    }
    return;
  }

  // Wald and Firth modes: a full regression per variant.
  for (Eigen::Index j = 0; j < width; ++j) {
    VariantResult& out = results[(begin + static_cast<std::size_t>(j)) * phenotypes + p];
    const auto& missing = missing_rows[static_cast<std::size_t>(j)];
    bool exclude = options_.missing == MissingGenotypes::exclude && !missing.empty();
    fill_counts(out, static_cast<std::size_t>(j), true);
    Eigen::MatrixXd x;
    Eigen::VectorXd y;
    if (exclude) {
      Eigen::Index used = rows - static_cast<Eigen::Index>(missing.size());
      x.resize(used, k + 1);
      y.resize(used);
      std::size_t next_missing = 0;
      Eigen::Index r_out = 0;
      for (Eigen::Index r = 0; r < rows; ++r) {
        if (next_missing < missing.size() && missing[next_missing] == r) {
          ++next_missing;
          continue;
        }
        x.row(r_out).head(k) = model.x().row(r);
        x(r_out, k) = g(r, j);
        y(r_out++) = model.y(r);
      }
    } else {
      x.resize(rows, k + 1);
      x << model.x(), g.col(j);
      y = model.y;
    }
    double sum = x.col(k).sum();
    out.effect_allele_frequency = sum / (2.0 * static_cast<double>(x.rows()));
    double mean = sum / static_cast<double>(x.rows());
    if ((x.col(k).array() - mean).abs().maxCoeff() < 1e-12) {
      out.error = "CONST_ALLELE";
      continue;
    }
    Eigen::VectorXd start(k + 1);
    start << model.coefficients, 0.0;
    LogisticFit fit;
    bool firth = options_.test == BinaryTest::firth;
    if (!firth) {
      fit = fit_logistic(x, y, false, start, 25);
      if (!fit.converged) firth = true;  // firth-fallback
    }
    if (firth) fit = fit_logistic(x, y, true, start);
    if (!fit.converged) {
      out.error = "UNFINISHED";
      continue;
    }
    out.beta = fit.coefficients(k);
    out.se = fit.standard_errors(k);
    out.statistic = out.beta / out.se;
    out.log_p = log_p_normal(out.statistic);
    out.method = firth ? "firth" : "logistic";
  }
}

void LogisticAssociation::finish_score(const NullModel& model, double u, const Eigen::VectorXd& b, double gwg,
                                       const std::function<Eigen::VectorXd()>& genotypes, VariantResult& out) const {
  const Eigen::Index rows = static_cast<Eigen::Index>(model.rows().size()), k = model.x().cols();
  const Eigen::VectorXd c = model.information.solve(b);
  double v = gwg - b.dot(c);
  if (!(v > 1e-9 * gwg)) {
    out.error = "CONST_ALLELE";
    return;
  }
  out.method = "score";
  out.statistic = u / std::sqrt(v);
  out.beta = u / v;
  out.se = 1 / std::sqrt(v);
  out.log_p = log_p_normal(out.statistic);
  bool spa = options_.spa && std::fabs(out.statistic) > options_.spa_cutoff;
  bool firth = options_.firth_threshold > 0;
  if (!spa && !(firth && out.log_p < std::log(options_.firth_threshold))) return;
  // The tails need the genotypes themselves (mean-imputed, on the model's samples).
  Eigen::VectorXd g = genotypes();
  // The genotype residualised on the covariates (W-weighted, as the score test's), for SPA and the
  // approximate Firth fit (the exact fit takes the genotype itself).
  Eigen::VectorXd residual_g;
  if (spa || options_.firth_approx) residual_g = g - model.x() * c;
  if (spa) {
    double log_p = spa_log_p(residual_g, model.mu, model.eta, model.softplus_eta, u);
    if (!std::isnan(log_p)) {
      out.log_p = log_p;
      out.method = "spa";
    }
  }
  if (firth && options_.firth_approx && out.log_p < std::log(options_.firth_threshold)) {
    // The genotype alone, the covariates' effects fixed at the null Firth fit (REGENIE's --approx).
    const LogisticFit fit = fit_firth_offset(residual_g, model.y, model.firth_offset, u / v);
    if (fit.converged) {
      const double null_log_likelihood = firth_offset_log_likelihood(residual_g, model.y, model.firth_offset, 0.0);
      const double chi2 = std::max(0.0, 2 * (fit.log_likelihood - null_log_likelihood));
      out.beta = fit.coefficients(0);
      out.se = fit.standard_errors(0);
      out.statistic = chi2;
      out.log_p = log_p_chisq1(chi2);
      out.method = "firth_approx";
    } else {
      out.error = "FIRTH_CONVERGE_FAIL";
    }
  } else if (firth && out.log_p < std::log(options_.firth_threshold)) {
    Eigen::MatrixXd x(rows, k + 1);
    x << model.x(), g;
    // Start from the null model with the score test's one-step estimate for the genotype.
    Eigen::VectorXd start(k + 1);
    start << model.coefficients - c * (u / v), u / v;
    LogisticFit fit = fit_logistic(x, model.y, true, start);
    if (!fit.converged) {
      start << model.coefficients, 0.0;
      fit = fit_logistic(x, model.y, true, start);
    }
    // The likelihood-ratio test's null: the genotype's coefficient 0, the covariates' fitted,
    // under the same penalty (the full design's). Against the covariates' own Firth fit, whose
    // penalty lacks the genotype's log-information, chi-square gains about log(sum w g~^2): with
    // 20,000 samples p = 0.0009 where this test (and the Wald test) give 0.04, and 5% of null
    // variants fell below p = 0.01.
    LogisticFit null_fit;
    if (fit.converged) {
      // From the covariates' own Firth fit, which differs from this null only by the genotype's
      // term of the penalty: two Newton steps.
      Eigen::VectorXd null_start(k + 1);
      null_start << model.firth_coefficients, 0.0;
      null_fit = fit_logistic(x, model.y, true, null_start, 100, k);
    }
    if (fit.converged && null_fit.converged) {
      double chi2 = std::max(0.0, 2 * (fit.log_likelihood - null_fit.log_likelihood));
      out.beta = fit.coefficients(k);
      out.se = fit.standard_errors(k);
      out.statistic = chi2;
      out.log_p = log_p_chisq1(chi2);
      out.method = "firth";
    } else {
      out.error = "FIRTH_CONVERGE_FAIL";
    }
  }
}

bool LogisticAssociation::packed_supported() const { return options_.test == BinaryTest::score; }

std::unique_ptr<PackedProducts> LogisticAssociation::make_table(const NullModel& model, std::size_t file_samples) {
  const Eigen::Index k = model.x().cols();
  // Vectors: the residual y - mu, the columns of WX, and w (with squared genotypes).
  Eigen::MatrixXd vectors(static_cast<Eigen::Index>(model.rows().size()), k + 2);
  vectors << model.y - model.mu, model.xw(), model.w;
  std::vector<bool> squared(static_cast<std::size_t>(k + 2), false);
  squared.back() = true;
  return std::make_unique<PackedProducts>(vectors, model.samples->positions, file_samples, squared);
}

void LogisticAssociation::prepare_packed(const std::vector<std::uint32_t>& positions, std::size_t file_samples, std::size_t memory_limit) {
  file_samples_ = file_samples;
  std::vector<std::pair<std::size_t, std::size_t>> tables;
  for (std::size_t p = 0; p < models_.size(); ++p) {
    NullModel& model = *models_[p];
    if (model.mu.size() == 0) continue;
    SampleSet& set = *model.samples;
    if (set.row_of_position.size() != file_samples) {  // once per set of samples
      set.positions.clear();
      for (auto r : set.rows) set.positions.push_back(positions[static_cast<std::size_t>(r)]);
      set.row_of_position.assign(file_samples, -1);
      for (std::size_t r = 0; r < set.positions.size(); ++r) set.row_of_position[set.positions[r]] = static_cast<std::int32_t>(r);
    }
    tables.emplace_back(p, PackedProducts::memory_bytes(static_cast<std::size_t>(model.x().cols()) + 2, file_samples));
  }
  table_batches_ = batch_tables(tables, memory_limit);
  if (table_batches_.batches.size() == 1) {
    const auto& batch = table_batches_.batches.front();
    parallel_for(batch.size(), 1, [&](std::size_t begin, std::size_t end) {
      for (std::size_t i = begin; i < end; ++i) models_[batch[i]]->packed = make_table(*models_[batch[i]], file_samples);
    });
  }
}

void LogisticAssociation::test_packed(const PackedBlock& block, std::vector<VariantResult>& results) const {
  const std::size_t b_count = block.rows.size(), phenotypes = models_.size();
  results.assign(b_count * phenotypes, VariantResult{});
  static constexpr double kDosage[4] = {2.0, -1.0, 1.0, 0.0};  // -1: missing
  for (std::size_t p = 0; p < phenotypes; ++p) {
    if (models_[p]->mu.size() != 0) continue;
    for (std::size_t j = 0; j < b_count; ++j) results[j * phenotypes + p].error = "NULL_MODEL_FAIL";
  }
  const bool kept = table_batches_.batches.size() == 1;
  for (const auto& batch : table_batches_.batches) {
    std::vector<std::unique_ptr<PackedProducts>> built(kept ? 0 : batch.size());
    parallel_for(built.size(), 1, [&](std::size_t begin, std::size_t end) {
      for (std::size_t i = begin; i < end; ++i) built[i] = make_table(*models_[batch[i]], file_samples_);
    });
    // Several tasks per thread: Firth fits fall unevenly on the variants.
    parallel_for(b_count, packed_task_size(b_count, 4), [&](std::size_t begin, std::size_t end) {
      Eigen::MatrixXd sums;
      RowCalls calls;
      for (std::size_t i = 0; i < batch.size(); ++i) {
        const std::size_t p = batch[i];
        const NullModel& model = *models_[p];
        const Eigen::Index k = model.x().cols();
        (kept ? *model.packed : *built[i]).compute(block, begin, end, sums, calls);
        for (std::size_t j = begin; j < end; ++j) {
          VariantResult& out = results[j * phenotypes + p];
          const CallCounts counts = calls.counts[j - begin];
          const std::span<const std::uint32_t> missing_positions = calls.missing(j - begin);
          const double observed = static_cast<double>(model.rows().size() - missing_positions.size());
          const double mean = observed > 0 ? (counts.het + 2.0 * counts.hom_alt) / observed : 0.0;
          Eigen::VectorXd column = sums.col(static_cast<Eigen::Index>(j - begin));
          double u = column(0);
          Eigen::VectorXd b = column.segment(1, k);
          double gwg = column(k + 1);
          for (auto position : missing_positions) {  // missing calls count as the mean
            Eigen::Index r = model.samples->row_of_position[position];
            u += mean * (model.y(r) - model.mu(r));
            b += mean * (model.w(r) * model.x().row(r)).transpose();
            gwg += mean * mean * model.w(r);
          }
          out.cases = static_cast<std::uint32_t>(model.cases);
          out.controls = static_cast<std::uint32_t>(model.controls);
          out.n = static_cast<std::uint32_t>(observed);
          out.effect_allele_frequency = mean / 2;
          out.info = mach_r2(counts.het + 2.0 * counts.hom_alt, counts.het + 4.0 * counts.hom_alt, observed);
          const std::uint8_t* row = block.rows[j];
          finish_score(model, u, b, gwg, [&] {
            Eigen::VectorXd g(static_cast<Eigen::Index>(model.samples->positions.size()));
            for (std::size_t r = 0; r < model.samples->positions.size(); ++r) {
              std::uint32_t s = model.samples->positions[r];
              double value = kDosage[(row[s / 4] >> (2 * (s % 4))) & 3];
              g(static_cast<Eigen::Index>(r)) = value < 0 ? mean : value;
            }
            return g;
          }, out);
        }
      }
    });
  }
}

}  // namespace kohort::assoc
