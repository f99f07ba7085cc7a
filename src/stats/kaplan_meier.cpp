#include "stats/kaplan_meier.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/error.h"
#include "stats/distributions.h"
#include "stats/linear_algebra.h"

namespace kohort::stats {

ConfType parse_conf_type(const std::string& name) {
  if (name == "log") return ConfType::kLog;
  if (name == "plain") return ConfType::kPlain;
  if (name == "log-log") return ConfType::kLogLog;
  throw InputError("--conf-type is '" + name + "'; expected log, plain or log-log");
}

namespace {

// Infinitesimal-jackknife variance of log S at each distinct time. Row i's influence on log S(t) is
// U_i(t) = A(min(t, T_i)) - event_i [t >= T_i] / (n(T_i) - d(T_i)), with A(t) = sum d / (n (n - d));
// so the sum of (w_i U_i(t))^2 splits into rows still at risk (A(t)^2 times their squared weights)
// and rows already gone (a constant each), both running sums over time.
std::vector<double> jackknife_variance(const std::vector<double>& time, const std::vector<double>& event,
                                       const std::vector<double>& weight, const std::vector<std::size_t>& order,
                                       const KmCurve& curve) {
  const std::size_t n = time.size();
  std::vector<double> var(curve.time.size());
  double a = 0, gone = 0, remaining_w2 = 0;
  for (std::size_t i = 0; i < n; ++i) remaining_w2 += weight[i] * weight[i];
  std::size_t k = 0;
  for (std::size_t j = 0; j < curve.time.size(); ++j) {
    const double n_risk = curve.n_risk[j], died = curve.n_event[j];
    if (died > 0) a += died / (n_risk * (n_risk - died));
    for (; k < n && time[order[k]] == curve.time[j]; ++k) {
      const std::size_t i = order[k];
      const double c = a - (event[i] != 0 ? 1.0 / (n_risk - died) : 0.0);
      const double w2 = weight[i] * weight[i];
      gone += w2 * c * c;
      remaining_w2 -= w2;
    }
    var[j] = a * a * remaining_w2 + gone;
  }
  return var;
}

}  // namespace

KmCurve kaplan_meier(const std::vector<double>& time, const std::vector<double>& event,
                     const std::vector<double>& weight, ConfType conf_type, double conf_level, KmVariance variance) {
  const std::size_t n = time.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return time[a] < time[b]; });
  auto w = [&](std::size_t i) { return weight.empty() ? 1.0 : weight[i]; };
  double at_risk = 0;
  for (std::size_t i = 0; i < n; ++i) at_risk += w(i);

  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double z = normal_quantile_p(1 - (1 - conf_level) / 2);
  KmCurve curve;  // counts and S first, then the variance, then the intervals
  double surv = 1, greenwood = 0;
  for (std::size_t k = 0; k < n;) {
    const double t = time[order[k]];
    double died = 0, censored = 0;
    std::size_t j = k;
    for (; j < n && time[order[j]] == t; ++j) (event[order[j]] != 0 ? died : censored) += w(order[j]);
    if (died > 0) {
      surv *= (at_risk - died) / at_risk;
      greenwood += died / (at_risk * (at_risk - died));  // Inf once everyone at risk has died
    }
    curve.time.push_back(t);
    curve.n_risk.push_back(at_risk);
    curve.n_event.push_back(died);
    curve.n_censor.push_back(censored);
    curve.surv.push_back(surv);
    curve.std_err_log.push_back(std::sqrt(greenwood));
    at_risk -= died + censored;
    k = j;
  }
  if (variance == KmVariance::kAuto) {
    variance = KmVariance::kGreenwood;
    for (double x : weight)
      if (x != std::floor(x)) variance = KmVariance::kJackknife;
  }
  if (variance == KmVariance::kJackknife) {
    std::vector<double> ones;
    if (weight.empty()) ones.assign(n, 1.0);
    const std::vector<double> var = jackknife_variance(time, event, weight.empty() ? ones : weight, order, curve);
    for (std::size_t j = 0; j < var.size(); ++j) curve.std_err_log[j] = std::sqrt(var[j]);
  }
  for (std::size_t j = 0; j < curve.time.size(); ++j) {
    const double surv = curve.surv[j];
    const double se_log = curve.std_err_log[j];
    double lower = nan, upper = nan;
    if (conf_type == ConfType::kLog) {
      if (surv > 0) {
        lower = std::exp(std::log(surv) - z * se_log);
        upper = std::min(1.0, std::exp(std::log(surv) + z * se_log));
      }
    } else if (conf_type == ConfType::kPlain) {
      if (std::isfinite(se_log)) {
        lower = std::max(0.0, surv - z * se_log * surv);
        upper = std::min(1.0, surv + z * se_log * surv);
      }
    } else if (surv > 0 && surv < 1) {
      const double loglog = std::log(-std::log(surv));
      const double half = z * se_log / std::log(surv);  // negative
      lower = std::exp(-std::exp(loglog - half));
      upper = std::exp(-std::exp(loglog + half));
    }
    curve.std_err.push_back(surv == 0 ? nan : se_log * surv);
    curve.lower.push_back(lower);
    curve.upper.push_back(upper);
  }
  return curve;
}

LogRankTest log_rank(const std::vector<double>& time, const std::vector<double>& event,
                     const std::vector<double>& weight, const std::vector<int>& group, int groups) {
  const std::size_t n = time.size();
  const std::size_t g = static_cast<std::size_t>(groups);
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return time[a] < time[b]; });
  auto w = [&](std::size_t i) { return weight.empty() ? 1.0 : weight[i]; };
  std::vector<double> risk(g, 0.0), died_g(g);
  for (std::size_t i = 0; i < n; ++i) risk[group[i]] += w(i);

  LogRankTest test;
  test.observed.assign(g, 0.0);
  test.expected.assign(g, 0.0);
  std::vector<double> var(g * g, 0.0);
  for (std::size_t k = 0; k < n;) {
    const double t = time[order[k]];
    std::size_t j = k;
    std::fill(died_g.begin(), died_g.end(), 0.0);
    double died = 0;
    for (; j < n && time[order[j]] == t; ++j)
      if (event[order[j]] != 0) {
        died_g[group[order[j]]] += w(order[j]);
        died += w(order[j]);
      }
    const double total = std::accumulate(risk.begin(), risk.end(), 0.0);
    if (died > 0) {
      for (std::size_t a = 0; a < g; ++a) {
        test.observed[a] += died_g[a];
        test.expected[a] += died * risk[a] / total;
      }
      if (total > 1) {
        const double factor = died * (total - died) / (total * total * (total - 1));
        for (std::size_t a = 0; a < g; ++a)
          for (std::size_t b = 0; b < g; ++b)
            var[a * g + b] += factor * risk[a] * ((a == b ? total : 0.0) - risk[b]);
      }
    }
    for (std::size_t i = k; i < j; ++i) risk[group[order[i]]] -= w(order[i]);
    k = j;
  }
  // chi-square on the first g-1 groups, with a generalised inverse for singular cases.
  const std::size_t m = g - 1;
  std::vector<double> v(m * m), diff(m);
  for (std::size_t a = 0; a < m; ++a) {
    diff[a] = test.observed[a] - test.expected[a];
    for (std::size_t b = 0; b < m; ++b) v[a * m + b] = var[a * g + b];
  }
  int rank = 0;
  if (m > 0) {
    CholeskyFactor chol(v, m);
    rank = chol.rank();
    std::vector<double> solved = chol.solve(diff);
    for (std::size_t a = 0; a < m; ++a) test.chisq += diff[a] * solved[a];
  }
  test.df = rank;
  test.p = rank > 0 ? chisq_upper(test.chisq, rank) : std::nan("");
  return test;
}

}  // namespace kohort::stats
