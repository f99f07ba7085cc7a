// Clone-censor-weight analysis: interval rows, censoring models per arm and phase, estimates.
#include "trial/clone_analysis.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "core/random.h"

namespace kohort::trial {
namespace {

constexpr std::uint64_t kStreamCloneBootstrap = 0x63637762;  // "ccwb"
constexpr std::size_t kNone = static_cast<std::size_t>(-1);

enum class Phase : std::uint8_t { kGrace = 0, kGraceEnd = 1, kAfterGrace = 2 };
const char* phase_name(Phase phase) {
  static const char* names[] = {"grace", "grace end", "after grace"};
  return names[static_cast<int>(phase)];
}

// A row of the censoring models: the clone at risk of censoring in an interval (or at the grace end).
struct ModelRow {
  std::size_t clone;  // sample index
  double start;       // days
  Phase phase;
  bool censored;
};

// (1 - p_numerator) / (1 - p_denominator) of every model row.
std::vector<double> censoring_ratios(const TrialCohort& clones, const std::vector<std::uint32_t>& sample,
                                     const std::vector<ModelRow>& model, bool stabilised, bool report) {
  std::vector<double> ratio(model.size(), 1.0);
  const std::size_t k = clones.covariate_names.size();
  for (std::uint8_t arm = 0; arm < 2; ++arm) {
    for (Phase phase : {Phase::kGrace, Phase::kGraceEnd, Phase::kAfterGrace}) {
      std::vector<std::size_t> index;
      for (std::size_t m = 0; m < model.size(); ++m)
        if (model[m].phase == phase && clones.arm[sample[model[m].clone]] == arm) index.push_back(m);
      if (index.empty()) continue;
      std::vector<double> y(index.size());
      for (std::size_t j = 0; j < index.size(); ++j) y[j] = model[index[j]].censored;
      std::vector<std::vector<double>> time_terms;
      if (phase != Phase::kGraceEnd) {
        time_terms.assign(3, std::vector<double>(index.size()));
        for (std::size_t j = 0; j < index.size(); ++j) {
          double t = model[index[j]].start / 365.25;
          time_terms[0][j] = t;
          time_terms[1][j] = t * t;
          time_terms[2][j] = t * t * t;
        }
      }
      std::vector<std::vector<double>> all_terms = time_terms;
      for (std::size_t c = 0; c < k; ++c) {
        std::vector<double> column(index.size());
        for (std::size_t j = 0; j < index.size(); ++j) column[j] = clones.covariate(sample[model[index[j]].clone], c);
        all_terms.push_back(std::move(column));
      }
      const std::string what = fmt::format("clone censoring ({} arm, {})", arm ? "treatment" : "comparator",
                                           phase_name(phase));
      auto numerator = stabilised ? fitted_logistic(time_terms, y, report, (what + ", numerator").c_str())
                                  : std::vector<double>(index.size(), 0.0);
      auto denominator = fitted_logistic(all_terms, y, report, (what + ", denominator").c_str());
      for (std::size_t j = 0; j < index.size(); ++j) ratio[index[j]] = (1 - numerator[j]) / (1 - denominator[j]);
    }
  }
  return ratio;
}

}  // namespace

CloneRows clone_rows(const TrialCohort& clones, const std::vector<std::uint32_t>& sample, const std::vector<int>& person,
                     const Protocol& protocol, bool censoring_weights, bool report) {
  const double step = protocol.adherence.weight_interval_days;
  const double grace = protocol.enrolment.initiation_grace_days;
  CloneRows out;
  SurvivalRows& s = out.rows;
  std::vector<ModelRow> model;
  std::vector<std::size_t> row_clone, models_before;    // per interval row
  std::vector<std::size_t> model_begin(sample.size());  // per clone: its first model row
  std::vector<std::size_t> first_after_grace(sample.size(), kNone);
  for (std::size_t i = 0; i < sample.size(); ++i) {
    const std::uint32_t r = sample[i];
    const double censored_at = clones.deviation[r];  // +inf when not censored
    const double end = std::min(clones.time[r], censored_at);
    const bool event = clones.event[r] && clones.time[r] <= censored_at;
    auto add_interval = [&](double from, double to) {
      s.start.push_back(from);
      s.stop.push_back(to);
      s.event.push_back(to >= end && event);
      s.weight.push_back(1);
      s.cluster.push_back(person[i]);
      s.arm.push_back(clones.arm[r]);
      row_clone.push_back(i);
      models_before.push_back(model.size());
    };
    model_begin[i] = model.size();
    // Censored on day 0: no follow-up, but the grace model must count the clone among those at risk.
    if (censored_at == 0 && grace > 0) model.push_back({i, 0, Phase::kGrace, true});
    for (double from = 0; from < std::min(end, grace); from += step) {
      double to = std::min({from + step, grace, end});
      add_interval(from, to);
      model.push_back({i, from, Phase::kGrace, to >= end && censored_at == end && censored_at < grace});
    }
    if (clones.time[r] > grace && censored_at >= grace) model.push_back({i, grace, Phase::kGraceEnd, censored_at == grace});
    for (double from = grace; from < end; from += step) {
      if (from == grace) first_after_grace[i] = s.stop.size();
      add_interval(from, std::min(from + step, end));
      model.push_back({i, from, Phase::kAfterGrace, from + step >= end && censored_at == end});
    }
  }
  out.grace_end_weight.assign(sample.size(), kMissing);
  if (censoring_weights) {
    std::vector<double> ratio =
        censoring_ratios(clones, sample, model, protocol.analysis.stabilised_censoring_weights, report);
    // Weight of an interval: the product of the ratios of the clone's earlier model rows.
    std::size_t clone = kNone, next = 0;
    double cumulative = 1;
    for (std::size_t j = 0; j < s.stop.size(); ++j) {
      if (row_clone[j] != clone) {
        clone = row_clone[j];
        next = model_begin[clone];
        cumulative = 1;
      }
      for (; next < models_before[j]; ++next) cumulative *= ratio[next];
      s.weight[j] = cumulative;
    }
    truncate_weights(s.weight, protocol.analysis.truncate_lower, protocol.analysis.truncate_upper);
  }
  for (std::size_t i = 0; i < sample.size(); ++i)
    if (first_after_grace[i] != kNone) out.grace_end_weight[i] = s.weight[first_after_grace[i]];
  out.last_weight.assign(sample.size(), kMissing);
  for (std::size_t j = 0; j < s.stop.size(); ++j) out.last_weight[row_clone[j]] = s.weight[j];
  return out;
}

TrialResults analyse_clones(const TrialCohort& clones, const Protocol& protocol) {
  const Analysis& analysis = protocol.analysis;
  const bool weighted = analysis.adjustment == Adjustment::kWeighting;
  const std::size_t n = clones.size(), persons = n / 2;
  std::vector<std::uint32_t> all(n), person_row(persons);
  std::iota(all.begin(), all.end(), 0u);
  std::vector<int> person(n);
  for (std::size_t i = 0; i < n; ++i) person[i] = static_cast<int>(i / 2);
  for (std::size_t p = 0; p < persons; ++p) person_row[p] = static_cast<std::uint32_t>(2 * p);

  TrialResults out;
  out.weights.propensity.assign(n, kMissing);
  out.weights.weight.assign(n, 1.0);
  const CloneRows crude = clone_rows(clones, all, person, protocol, false, false);
  const CloneRows adjusted = weighted ? clone_rows(clones, all, person, protocol, true, true) : crude;
  // Robust variances cluster on persons: the two clones of a person share their history.
  out.crude_hr = cox_hazard_ratio(crude.rows, true);
  out.adjusted_hr = cox_hazard_ratio(adjusted.rows, true);
  out.outcome_model_hr = cox_hazard_ratio(crude.rows, true, 0.95, &clones, &person_row);

  // At time zero the clones are balanced by construction; the informative comparison is among the
  // clones still followed, uncensored, beyond the grace: before (unweighted) and after weighting.
  std::vector<std::uint32_t> beyond;
  std::vector<double> beyond_weight;
  for (std::size_t i = 0; i < n; ++i)
    if (std::isfinite(adjusted.grace_end_weight[i])) {
      beyond.push_back(static_cast<std::uint32_t>(i));
      beyond_weight.push_back(adjusted.grace_end_weight[i]);
    }
  out.balance = balance_table(clones, beyond, beyond_weight);
  out.clone_weight_after_grace = adjusted.grace_end_weight;
  out.clone_weight_at_end = adjusted.last_weight;

  describe_follow_up(clones, out.weights.weight, true, adjusted.rows, protocol, out);
  // Weights of the interval rows, and the effective size of the clones followed beyond the grace.
  for (std::uint8_t a = 0; a < 2; ++a) {
    ArmSummary& s = out.arms[a];
    s.weight_min = INFINITY;
    s.weight_max = 0;
    for (std::size_t j = 0; j < adjusted.rows.stop.size(); ++j) {
      if (adjusted.rows.arm[j] != a) continue;
      s.weight_min = std::min(s.weight_min, adjusted.rows.weight[j]);
      s.weight_max = std::max(s.weight_max, adjusted.rows.weight[j]);
    }
    double sum = 0, sum2 = 0;
    for (std::size_t b = 0; b < beyond.size(); ++b) {
      if (clones.arm[beyond[b]] != a) continue;
      sum += beyond_weight[b];
      sum2 += beyond_weight[b] * beyond_weight[b];
    }
    s.effective_size = sum2 > 0 ? sum * sum / sum2 : 0;
  }

  // Bootstrap: persons drawn with replacement, each with both clones; censoring models refitted.
  run_bootstrap(
      [&](std::uint64_t b) {
        Random random(analysis.seed, kStreamCloneBootstrap, b);
        std::vector<std::uint32_t> sample;
        std::vector<int> cluster;
        bool initiated[2] = {false, false};
        for (std::size_t k = 0; k < persons; ++k) {
          auto p = static_cast<std::uint32_t>(random.below(persons));
          for (std::uint32_t r : {2 * p, 2 * p + 1}) {
            sample.push_back(r);
            cluster.push_back(static_cast<int>(k));
            initiated[clones.arm[r]] = initiated[clones.arm[r]] || std::isfinite(clones.initiation[r]);
          }
        }
        if (!initiated[0] || !initiated[1]) return Replicate{};
        return replicate_estimates(clone_rows(clones, sample, cluster, protocol, weighted, false).rows, protocol);
      },
      analysis.bootstrap, out);
  return out;
}

}  // namespace kohort::trial
