// Propensity scores, weights and matching. Every function takes the sample as cohort rows so that
// bootstrap replicates (rows drawn with replacement) run through the same code as the main analysis.
#include "trial/weights.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include <fmt/format.h>

#include "core/log.h"
#include "stats/logistic.h"

namespace kohort::trial {

double quantile_sorted(const std::vector<double>& sorted, double probability) {
  if (sorted.empty()) return std::nan("");
  double h = (static_cast<double>(sorted.size()) - 1) * probability;
  auto lo = static_cast<std::size_t>(std::floor(h));
  std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

std::vector<double> fitted_logistic(const std::vector<std::vector<double>>& columns, const std::vector<double>& y,
                                    bool report, const char* what) {
  const std::size_t n = y.size();
  if (std::accumulate(y.begin(), y.end(), 0.0) == 0) return std::vector<double>(n, 0.0);
  std::vector<double> x;
  std::size_t used = 0;
  for (const auto& column : columns) {
    double mean = std::accumulate(column.begin(), column.end(), 0.0) / static_cast<double>(n);
    auto [lo, hi] = std::minmax_element(column.begin(), column.end());
    if (!(*hi > *lo)) continue;
    for (double v : column) x.push_back(v - mean);
    ++used;
  }
  stats::LogisticFit fit = stats::fit_logistic(x, n, used, y, {});
  if (report && !fit.converged) log_warning(fmt::format("the {} model did not converge", what));
  return stats::logistic_predict(fit, x, n, used);
}

void truncate_weights(std::vector<double>& weight, double lower, double upper) {
  if (lower <= 0 && upper >= 1) return;
  std::vector<double> positive;
  for (double w : weight)
    if (w > 0) positive.push_back(w);
  if (positive.empty()) return;
  std::sort(positive.begin(), positive.end());
  double lo = quantile_sorted(positive, lower), hi = quantile_sorted(positive, upper);
  for (double& w : weight)
    if (w > 0) w = std::clamp(w, lo, hi);
}

namespace {

// Greedy nearest-neighbour matching without replacement on the logit propensity score: treated
// persons in order of decreasing score take comparators within the caliper.
void match(const std::vector<std::uint8_t>& arm, const std::vector<double>& propensity, const Analysis& analysis,
           BaselineWeights& out) {
  const std::size_t n = arm.size();
  std::vector<double> logit(n);
  double sum = 0, sum2 = 0;
  for (std::size_t i = 0; i < n; ++i) {
    logit[i] = std::log(propensity[i] / (1 - propensity[i]));
    sum += logit[i];
    sum2 += logit[i] * logit[i];
  }
  double mean = sum / static_cast<double>(n);
  double sd = std::sqrt(std::max(0.0, (sum2 - n * mean * mean) / static_cast<double>(n - 1)));
  double caliper = analysis.caliper * sd;
  std::set<std::pair<double, std::size_t>> available;
  std::vector<std::size_t> treated;
  for (std::size_t i = 0; i < n; ++i) {
    if (arm[i]) treated.push_back(i);
    else available.emplace(logit[i], i);
  }
  std::sort(treated.begin(), treated.end(), [&](std::size_t a, std::size_t b) {
    return logit[a] != logit[b] ? logit[a] > logit[b] : a < b;
  });
  out.matched_set.assign(n, -1);
  out.weight.assign(n, 0.0);
  // Rounds, as MatchIt does for k:1: every treated person takes a first comparator, then those who
  // found one take a second, and so on.
  std::vector<int> set_of(n, -1), set_size;
  for (int round = 0; round < analysis.match_ratio; ++round) {
    for (std::size_t t : treated) {
      if (round > 0 && (set_of[t] < 0 || set_size[static_cast<std::size_t>(set_of[t])] < round)) continue;
      if (available.empty()) break;
      auto it = available.lower_bound({logit[t], 0});
      auto best = available.end();
      if (it != available.end()) best = it;
      if (it != available.begin()) {
        auto before = std::prev(it);
        if (best == available.end() || logit[t] - before->first <= best->first - logit[t]) best = before;
      }
      if (std::fabs(best->first - logit[t]) > caliper) continue;
      if (set_of[t] < 0) {
        set_of[t] = static_cast<int>(set_size.size());
        set_size.push_back(0);
      }
      out.matched_set[best->second] = set_of[t];
      ++set_size[static_cast<std::size_t>(set_of[t])];
      available.erase(best);
    }
  }
  for (std::size_t t : treated) out.matched_set[t] = set_of[t];
  // Treated weight 1; each comparator 1 / (comparators in its set), rescaled to sum to the number
  // of matched comparators (the ATT weights of variable-ratio matching).
  double inverse_sum = 0;
  std::size_t matched_comparators = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (out.matched_set[i] < 0) continue;
    if (arm[i]) {
      out.weight[i] = 1;
    } else {
      out.weight[i] = 1.0 / set_size[static_cast<std::size_t>(out.matched_set[i])];
      inverse_sum += out.weight[i];
      ++matched_comparators;
    }
  }
  for (std::size_t i = 0; i < n; ++i)
    if (out.matched_set[i] >= 0 && !arm[i]) out.weight[i] *= static_cast<double>(matched_comparators) / inverse_sum;
}

}  // namespace

BaselineWeights baseline_weights(const TrialCohort& cohort, const std::vector<std::uint32_t>& rows,
                                 const Analysis& analysis, bool report) {
  const std::size_t n = rows.size(), k = cohort.covariate_names.size();
  BaselineWeights out;
  std::vector<std::uint8_t> arm(n);
  std::vector<double> y(n);
  double treated = 0;
  for (std::size_t i = 0; i < n; ++i) {
    arm[i] = cohort.arm[rows[i]];
    y[i] = arm[i];
    treated += arm[i];
  }
  // Confounders centred (the fitted scores do not change; the iterations are better conditioned),
  // those without variation left out.
  std::vector<double> x;
  std::size_t used = 0;
  for (std::size_t j = 0; j < k; ++j) {
    double mean = 0, lo = INFINITY, hi = -INFINITY;
    for (std::size_t i = 0; i < n; ++i) {
      double v = cohort.covariate(rows[i], j);
      mean += v;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    mean /= static_cast<double>(n);
    if (!(hi > lo)) {
      out.dropped.push_back(cohort.covariate_names[j]);
      continue;
    }
    for (std::size_t i = 0; i < n; ++i) x.push_back(cohort.covariate(rows[i], j) - mean);
    ++used;
  }
  if (report && !out.dropped.empty())
    log_warning(fmt::format("confounders without variation, left out of the propensity model: {}",
                            fmt::join(out.dropped, ", ")));
  stats::LogisticFit fit = stats::fit_logistic(x, n, used, y, {});
  out.converged = fit.converged;
  if (report && !fit.converged)
    log_warning(fmt::format("the propensity model did not converge in {} iterations (separation?); check the "
                            "balance table", fit.iterations));
  out.propensity = stats::logistic_predict(fit, x, n, used);
  for (double& p : out.propensity) p = std::clamp(p, 1e-12, 1 - 1e-12);

  const double share = treated / static_cast<double>(n);
  switch (analysis.adjustment) {
    case Adjustment::kNone:
      out.weight.assign(n, 1.0);
      break;
    case Adjustment::kWeighting: {
      // Trimming leaves out persons outside the propensity range; the stabilising share is that of
      // the persons kept.
      std::vector<char> kept(n);
      double kept_n = 0, kept_treated = 0;
      for (std::size_t i = 0; i < n; ++i) {
        kept[i] = out.propensity[i] >= analysis.trim_lower && out.propensity[i] <= analysis.trim_upper;
        kept_n += kept[i];
        kept_treated += kept[i] && arm[i];
      }
      const double kept_share = kept_n > 0 ? kept_treated / kept_n : share;
      out.weight.resize(n);
      for (std::size_t i = 0; i < n; ++i)
        out.weight[i] = !kept[i] ? 0.0
                        : arm[i] ? kept_share / out.propensity[i]
                                 : (1 - kept_share) / (1 - out.propensity[i]);
      truncate_weights(out.weight, analysis.truncate_lower, analysis.truncate_upper);
      break;
    }
    case Adjustment::kMatching:
      match(arm, out.propensity, analysis, out);
      break;
  }
  return out;
}

std::vector<BalanceRow> balance_table(const TrialCohort& cohort, const std::vector<std::uint32_t>& rows,
                                      const std::vector<double>& weight) {
  std::vector<BalanceRow> table;
  for (std::size_t j = 0; j < cohort.covariate_names.size(); ++j) {
    BalanceRow b;
    b.covariate = cohort.covariate_names[j];
    b.binary = cohort.covariate_binary[j];
    double n[2] = {0, 0}, sum[2] = {0, 0}, sum2[2] = {0, 0}, w[2] = {0, 0}, wsum[2] = {0, 0};
    for (std::size_t i = 0; i < rows.size(); ++i) {
      int a = cohort.arm[rows[i]];
      double v = cohort.covariate(rows[i], j);
      n[a] += 1;
      sum[a] += v;
      sum2[a] += v * v;
      w[a] += weight[i];
      wsum[a] += weight[i] * v;
      if (b.binary && v != 0) ++b.count[a];
    }
    double var[2];
    for (int a = 0; a < 2; ++a) {
      b.mean_before[a] = sum[a] / n[a];
      b.mean_after[a] = w[a] > 0 ? wsum[a] / w[a] : std::nan("");
      var[a] = b.binary ? b.mean_before[a] * (1 - b.mean_before[a])
                        : (sum2[a] - n[a] * b.mean_before[a] * b.mean_before[a]) / (n[a] - 1);
    }
    double sd = std::sqrt((var[0] + var[1]) / 2);
    auto smd = [&](const double* mean) {
      double d = mean[1] - mean[0];
      return sd > 0 ? d / sd : (d == 0 ? 0.0 : std::nan(""));
    };
    b.smd_before = smd(b.mean_before);
    b.smd_after = smd(b.mean_after);
    table.push_back(b);
  }
  return table;
}

}  // namespace kohort::trial
