// Outcome analysis. Risks come from weighted product-limit curves; hazard ratios from stats::fit_cox
// (the same code that matches R's coxph); bootstrap replicates redo everything from the propensity
// model on, so their spread includes the uncertainty of the weights.
#include "trial/outcomes.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <numeric>

#include <fmt/format.h>

#include "core/log.h"
#include "core/parallel.h"
#include "core/random.h"
#include "stats/cox.h"
#include "trial/clone_analysis.h"

namespace kohort::trial {
namespace {

constexpr std::uint64_t kStreamBootstrap = 0x74726961;  // "tria"

}  // namespace

SurvivalRows intention_to_treat_rows(const TrialCohort& cohort, const std::vector<std::uint32_t>& rows,
                                     const std::vector<double>& weight) {
  SurvivalRows s;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (!(weight[i] > 0)) continue;
    std::uint32_t r = rows[i];
    s.start.push_back(0);
    s.stop.push_back(cohort.time[r]);
    s.event.push_back(cohort.event[r]);
    s.weight.push_back(weight[i]);
    s.cluster.push_back(static_cast<int>(i));
    s.arm.push_back(cohort.arm[r]);
  }
  return s;
}

SurvivalRows per_protocol_rows(const TrialCohort& cohort, const std::vector<std::uint32_t>& rows,
                               const std::vector<double>& weight, const Protocol& protocol, bool censoring_weights,
                               bool report) {
  const double step = protocol.adherence.weight_interval_days;
  const std::size_t k = cohort.covariate_names.size();
  SurvivalRows s;
  std::vector<char> deviated;  // per interval row: follow-up ended there by leaving the strategy
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (!(weight[i] > 0)) continue;
    std::uint32_t r = rows[i];
    double end = std::min(cohort.time[r], cohort.deviation[r]);
    bool event = cohort.event[r] && cohort.time[r] <= cohort.deviation[r];
    bool deviation = cohort.deviation[r] < cohort.time[r];
    for (double from = 0; from < end; from += step) {
      double to = std::min(from + step, end);
      bool last = to >= end;
      s.start.push_back(from);
      s.stop.push_back(to);
      s.event.push_back(last && event);
      s.weight.push_back(weight[i]);
      s.cluster.push_back(static_cast<int>(i));
      s.arm.push_back(cohort.arm[r]);
      deviated.push_back(last && deviation);
    }
  }
  if (!censoring_weights) return s;

  // Pooled logistic models of leaving the strategy per interval, separately per arm.
  const std::size_t n = s.start.size();
  std::vector<double> ratio(n, 1.0);  // (1 - p_numerator) / (1 - p_denominator) of each interval
  for (std::uint8_t arm = 0; arm < 2; ++arm) {
    std::vector<std::size_t> index;
    for (std::size_t j = 0; j < n; ++j)
      if (s.arm[j] == arm) index.push_back(j);
    std::vector<double> y(index.size());
    std::vector<std::vector<double>> time_terms(3, std::vector<double>(index.size()));
    for (std::size_t m = 0; m < index.size(); ++m) {
      double t = s.start[index[m]] / 365.25;
      time_terms[0][m] = t;
      time_terms[1][m] = t * t;
      time_terms[2][m] = t * t * t;
      y[m] = deviated[index[m]];
    }
    std::vector<std::vector<double>> all_terms = time_terms;
    for (std::size_t c = 0; c < k; ++c) {
      std::vector<double> column(index.size());
      for (std::size_t m = 0; m < index.size(); ++m)
        column[m] = cohort.covariate(rows[static_cast<std::size_t>(s.cluster[index[m]])], c);
      all_terms.push_back(std::move(column));
    }
    auto numerator = protocol.analysis.stabilised_censoring_weights
                         ? fitted_logistic(time_terms, y, report, "per-protocol censoring (numerator)")
                         : std::vector<double>(index.size(), 0.0);
    auto denominator = fitted_logistic(all_terms, y, report, "per-protocol censoring (denominator)");
    for (std::size_t m = 0; m < index.size(); ++m) ratio[index[m]] = (1 - numerator[m]) / (1 - denominator[m]);
  }
  // Weight of an interval: the product of the ratios of the person's earlier intervals.
  double cumulative = 1;
  for (std::size_t j = 0; j < n; ++j) {
    if (j == 0 || s.cluster[j] != s.cluster[j - 1]) cumulative = 1;
    s.weight[j] *= cumulative;
    cumulative *= ratio[j];
  }
  truncate_weights(s.weight, protocol.analysis.truncate_lower, protocol.analysis.truncate_upper);
  return s;
}

double SurvivalCurve::at(double t) const {
  auto it = std::upper_bound(time.begin(), time.end(), t);
  return it == time.begin() ? 1.0 : survival[static_cast<std::size_t>(it - time.begin()) - 1];
}

SurvivalCurve product_limit(const SurvivalRows& rows, std::uint8_t arm) {
  std::vector<std::pair<double, double>> stops, starts, events;  // (time, weight)
  for (std::size_t j = 0; j < rows.stop.size(); ++j) {
    if (rows.arm[j] != arm || !(rows.weight[j] > 0)) continue;
    stops.emplace_back(rows.stop[j], rows.weight[j]);
    starts.emplace_back(rows.start[j], rows.weight[j]);
    if (rows.event[j] != 0) events.emplace_back(rows.stop[j], rows.weight[j]);
  }
  std::sort(stops.begin(), stops.end());
  std::sort(starts.begin(), starts.end());
  std::sort(events.begin(), events.end());
  // Suffix sums: weight of rows with stop >= t minus rows with start >= t is the weight at risk at t.
  auto suffix = [](const std::vector<std::pair<double, double>>& v) {
    std::vector<double> s(v.size() + 1, 0.0);
    for (std::size_t j = v.size(); j-- > 0;) s[j] = s[j + 1] + v[j].second;
    return s;
  };
  std::vector<double> stop_suffix = suffix(stops), start_suffix = suffix(starts);
  auto weight_from = [](const std::vector<std::pair<double, double>>& v, const std::vector<double>& s, double t) {
    auto it = std::lower_bound(v.begin(), v.end(), std::make_pair(t, -HUGE_VAL));
    return s[static_cast<std::size_t>(it - v.begin())];
  };
  SurvivalCurve curve;
  double survival = 1;
  for (std::size_t j = 0; j < events.size();) {
    double t = events[j].first, died = 0;
    for (; j < events.size() && events[j].first == t; ++j) died += events[j].second;
    double at_risk = weight_from(stops, stop_suffix, t) - weight_from(starts, start_suffix, t);
    if (at_risk > 0) survival *= std::max(0.0, 1 - died / at_risk);
    curve.time.push_back(t);
    curve.survival.push_back(survival);
  }
  return curve;
}

Estimate cox_hazard_ratio(const SurvivalRows& rows, bool robust, double conf_level, const TrialCohort* cohort,
                          const std::vector<std::uint32_t>* sample) {
  stats::CoxData data;
  const std::size_t n = rows.stop.size();
  data.n = n;
  data.stop = rows.stop;
  data.event = rows.event;
  data.weight = rows.weight;
  bool counting = std::any_of(rows.start.begin(), rows.start.end(), [](double s) { return s != 0; });
  if (counting) data.start = rows.start;
  if (robust) data.cluster = rows.cluster;
  std::size_t k = cohort ? cohort->covariate_names.size() : 0;
  data.p = 1 + k;
  data.x.resize(n * data.p);
  for (std::size_t i = 0; i < n; ++i) data.x[i] = rows.arm[i];
  for (std::size_t c = 0; c < k; ++c)
    for (std::size_t i = 0; i < n; ++i)
      data.x[(c + 1) * n + i] = cohort->covariate((*sample)[static_cast<std::size_t>(rows.cluster[i])], c);
  stats::CoxOptions options;
  options.robust = robust;
  stats::CoxFit fit = stats::fit_cox(data, options);
  Estimate e;
  if (!fit.converged || fit.aliased[0]) return e;
  const auto& var = robust && !fit.robust_var.empty() ? fit.robust_var : fit.var;
  double se = std::sqrt(var[0]), z = normal_quantile(1 - (1 - conf_level) / 2);
  e.value = std::exp(fit.beta[0]);
  e.lower = std::exp(fit.beta[0] - z * se);
  e.upper = std::exp(fit.beta[0] + z * se);
  return e;
}

namespace {

SurvivalRows estimand_rows(const TrialCohort& cohort, const std::vector<std::uint32_t>& rows,
                           const std::vector<double>& weight, const Protocol& protocol, bool censoring_weights, bool report) {
  if (protocol.estimand == Estimand::kIntentionToTreat) return intention_to_treat_rows(cohort, rows, weight);
  return per_protocol_rows(cohort, rows, weight, protocol, censoring_weights, report);
}

Replicate run_replicate(const TrialCohort& cohort, const Protocol& protocol, std::uint64_t b) {
  Random random(protocol.analysis.seed, kStreamBootstrap, b);
  const std::size_t n = cohort.size();
  std::vector<std::uint32_t> rows(n);
  for (auto& r : rows) r = static_cast<std::uint32_t>(random.below(n));
  std::uint64_t in_arm[2] = {0, 0};
  for (auto r : rows) ++in_arm[cohort.arm[r]];
  if (!in_arm[0] || !in_arm[1]) return {};
  BaselineWeights weights = baseline_weights(cohort, rows, protocol.analysis, false);
  return replicate_estimates(estimand_rows(cohort, rows, weights.weight, protocol, true, false), protocol);
}

// 2.5% and 97.5% percentiles (for a 95% level) of the finite values.
void percentile_interval(std::vector<double> values, double conf_level, Estimate& e) {
  values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return !std::isfinite(v); }), values.end());
  if (values.size() < 2) return;
  std::sort(values.begin(), values.end());
  e.lower = quantile_sorted(values, (1 - conf_level) / 2);
  e.upper = quantile_sorted(values, 1 - (1 - conf_level) / 2);
}

}  // namespace

Replicate replicate_estimates(const SurvivalRows& s, const Protocol& protocol) {
  Replicate out;
  bool arms[2] = {false, false};
  for (auto a : s.arm) arms[a] = true;
  if (!arms[0] || !arms[1]) return out;
  SurvivalCurve c0 = product_limit(s, 0), c1 = product_limit(s, 1);
  for (int h : protocol.analysis.horizons_days) {
    out.risk0.push_back(1 - c0.at(h));
    out.risk1.push_back(1 - c1.at(h));
  }
  out.hazard_ratio = cox_hazard_ratio(s, false).value;
  return out;
}

void run_bootstrap(const std::function<Replicate(std::uint64_t)>& replicate, int replicates, TrialResults& out) {
  out.adjusted_hr_bootstrap.value = out.adjusted_hr.value;
  if (replicates <= 0) return;
  std::vector<Replicate> results(static_cast<std::size_t>(replicates));
  Progress progress("bootstrap", results.size(), "replicates");
  std::atomic<std::uint64_t> done{0};
  parallel_for(results.size(), 1, [&](std::size_t begin, std::size_t end) {
    for (std::size_t b = begin; b < end; ++b) results[b] = replicate(b);
    progress.update(done += end - begin);
  });
  progress.finish();
  std::vector<double> hr;
  for (const auto& r : results) {
    if (!std::isfinite(r.hazard_ratio)) continue;
    hr.push_back(r.hazard_ratio);
    ++out.bootstrap_replicates;
  }
  percentile_interval(hr, 0.95, out.adjusted_hr_bootstrap);
  for (std::size_t h = 0; h < out.horizons.size(); ++h) {
    std::vector<double> r0, r1, difference, ratio;
    for (const auto& r : results) {
      if (r.risk0.empty()) continue;
      r0.push_back(r.risk0[h]);
      r1.push_back(r.risk1[h]);
      difference.push_back(r.risk1[h] - r.risk0[h]);
      ratio.push_back(r.risk0[h] > 0 ? r.risk1[h] / r.risk0[h] : kMissing);
    }
    HorizonRisk& hr_out = out.horizons[h];
    percentile_interval(r0, 0.95, hr_out.risk[0]);
    percentile_interval(r1, 0.95, hr_out.risk[1]);
    percentile_interval(difference, 0.95, hr_out.difference);
    percentile_interval(ratio, 0.95, hr_out.ratio);
  }
}

void describe_follow_up(const TrialCohort& cohort, const std::vector<double>& weight, bool censor_at_deviation,
                        const SurvivalRows& rows, const Protocol& protocol, TrialResults& out) {
  const std::size_t n = cohort.size();
  // Per-arm counts on each row's follow-up for the estimand.
  std::vector<double> follow_up(n);
  std::vector<char> had_event(n);
  for (std::size_t i = 0; i < n; ++i) {
    follow_up[i] = censor_at_deviation ? std::min(cohort.time[i], cohort.deviation[i]) : cohort.time[i];
    had_event[i] = cohort.event[i] && (!censor_at_deviation || cohort.time[i] <= cohort.deviation[i]);
  }
  for (std::uint8_t a = 0; a < 2; ++a) {
    ArmSummary& s = out.arms[a];
    double wsum = 0, w2sum = 0;
    s.weight_min = INFINITY;
    s.weight_max = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (cohort.arm[i] != a) continue;
      if (!(weight[i] > 0)) {
        ++s.left_out;
        continue;
      }
      ++s.persons;
      s.events += had_event[i];
      s.person_years += follow_up[i] / 365.25;
      ++s.deviations[static_cast<int>(cohort.deviation_kind[i])];
      if (cohort.cloned) s.initiated += std::isfinite(cohort.initiation[i]);
      wsum += weight[i];
      w2sum += weight[i] * weight[i];
      s.weight_min = std::min(s.weight_min, weight[i]);
      s.weight_max = std::max(s.weight_max, weight[i]);
    }
    s.effective_size = w2sum > 0 ? wsum * wsum / w2sum : 0;
  }

  // Survival curves on a grid and risks at the horizons.
  const Analysis& analysis = protocol.analysis;
  SurvivalCurve curves[2] = {product_limit(rows, 0), product_limit(rows, 1)};
  for (std::uint8_t a = 0; a < 2; ++a) {
    for (int day = 0; day <= protocol.outcome.follow_up_days; day += analysis.km_step_days) {
      CurvePoint p;
      p.days = day;
      p.arm = a;
      for (std::size_t i = 0; i < n; ++i) {
        if (cohort.arm[i] != a || !(weight[i] > 0)) continue;
        p.at_risk += follow_up[i] >= day;
        p.events += had_event[i] && follow_up[i] <= day;
      }
      p.survival = curves[a].at(day);
      out.curve.push_back(p);
    }
  }
  for (int h : analysis.horizons_days) {
    HorizonRisk r;
    r.days = h;
    for (int a = 0; a < 2; ++a) r.risk[a].value = 1 - curves[a].at(h);
    r.difference.value = r.risk[1].value - r.risk[0].value;
    r.ratio.value = r.risk[0].value > 0 ? r.risk[1].value / r.risk[0].value : kMissing;
    out.horizons.push_back(r);
  }
}

TrialResults analyse_trial(const TrialCohort& cohort, const Protocol& protocol) {
  if (cohort.cloned) return analyse_clones(cohort, protocol);
  const Analysis& analysis = protocol.analysis;
  const std::size_t n = cohort.size();
  const bool per_protocol = protocol.estimand == Estimand::kPerProtocol;
  std::vector<std::uint32_t> all(n);
  std::iota(all.begin(), all.end(), 0u);
  TrialResults out;
  out.weights = baseline_weights(cohort, all, analysis, true);
  const std::vector<double>& weight = out.weights.weight;
  out.balance = balance_table(cohort, all, weight);

  // Crude: no baseline weights (and for per-protocol no censoring weights either).
  const std::vector<double> ones(n, 1.0);
  out.crude_hr = cox_hazard_ratio(estimand_rows(cohort, all, ones, protocol, false, false), per_protocol);
  SurvivalRows rows = estimand_rows(cohort, all, weight, protocol, true, true);
  SurvivalRows robust_rows = rows;
  if (analysis.adjustment == Adjustment::kMatching)  // pairs, not persons, are the independent units
    for (int& c : robust_rows.cluster) c = out.weights.matched_set[static_cast<std::size_t>(c)];
  out.adjusted_hr = cox_hazard_ratio(robust_rows, true);
  out.outcome_model_hr = cox_hazard_ratio(estimand_rows(cohort, all, ones, protocol, true, false), per_protocol, 0.95,
                                          &cohort, &all);
  describe_follow_up(cohort, weight, per_protocol, rows, protocol, out);

  // Bootstrap: whole-analysis replicates on persons drawn with replacement.
  run_bootstrap([&](std::uint64_t b) { return run_replicate(cohort, protocol, b); }, analysis.bootstrap, out);
  return out;
}

}  // namespace kohort::trial
