// Report writing. Every count that could identify a person (1 to suppress_below-1) is written as
// "<suppress_below"; a binary confounder's share in an arm with such a count is withheld with it,
// since share times arm size gives the count back. Survival curves stop where fewer than
// suppress_below persons remain at risk.
#include "trial/report.h"

#include <cmath>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "core/output.h"

namespace kohort::trial {
namespace {

class Suppressor {
 public:
  explicit Suppressor(int below) : below_(static_cast<std::uint64_t>(below)) {}
  bool hides(std::uint64_t count) const { return count > 0 && count < below_; }
  std::string count(std::uint64_t c) const { return hides(c) ? fmt::format("<{}", below_) : fmt::format("{}", c); }
  std::uint64_t below() const { return below_; }

 private:
  std::uint64_t below_;
};

std::string number(double x, int digits = 4) {
  if (std::isnan(x)) return "NA";
  return fmt::format("{:.{}g}", x, digits);
}

std::string ci(const Estimate& e, int digits = 3) {
  return fmt::format("{} ({} to {})", number(e.value, digits), number(e.lower, digits), number(e.upper, digits));
}

const char* arm_label(int arm) { return arm ? "treatment" : "comparator"; }

struct FlowCells {
  std::vector<std::string> excluded, remaining;
};

// The flow is a chain (remaining = previous remaining - excluded), so hiding a small exclusion
// alone would not hide it: it could be recomputed from the remaining counts around it. Each
// suppressed exclusion therefore also hides the remaining counts from it up to the next step that
// excluded suppress_below or more persons, whose exclusion is hidden too (or, at the end of the
// criteria, the previous such step), so that only their sum can be derived.
FlowCells suppress_flow(const std::vector<FlowStep>& flow, const Suppressor& s) {
  std::size_t criteria = 0;  // steps 1 .. criteria-1 are criteria; after them come the arm counts
  while (criteria < flow.size() && flow[criteria].criterion.rfind("in the trial:", 0) != 0) ++criteria;
  std::vector<bool> hide_excluded(flow.size(), false), hide_remaining(flow.size(), false);
  auto partner_after = [&](std::size_t i) {
    for (std::size_t j = i + 1; j < criteria; ++j)
      if (flow[j].excluded >= s.below()) return j;
    return std::size_t{0};
  };
  auto partner_before = [&](std::size_t i) {
    for (std::size_t j = i; j-- > 1;)
      if (flow[j].excluded >= s.below()) return j;
    return std::size_t{0};
  };
  for (std::size_t i = 1; i < criteria; ++i) {
    if (!s.hides(flow[i].excluded)) continue;
    hide_excluded[i] = true;
    if (std::size_t j = partner_after(i)) {
      hide_excluded[j] = true;
      for (std::size_t k = i; k < j; ++k) hide_remaining[k] = true;
    } else if (std::size_t j = partner_before(i)) {
      hide_excluded[j] = true;
      for (std::size_t k = j; k < i; ++k) hide_remaining[k] = true;
    }
  }
  FlowCells cells;
  for (std::size_t i = 0; i < flow.size(); ++i) {
    cells.excluded.push_back(hide_excluded[i] && !s.hides(flow[i].excluded) ? "suppressed" : s.count(flow[i].excluded));
    cells.remaining.push_back(hide_remaining[i] ? "suppressed" : s.count(flow[i].remaining));
  }
  return cells;
}

}  // namespace

std::string write_trial_report(const std::string& prefix, const Protocol& p, const TrialCohort& cohort,
                               const TrialResults& r) {
  const Suppressor s(p.analysis.suppress_below);
  const std::string names[2] = {p.comparator.name, p.treatment.name};

  OutputFile flow(prefix + ".flow.tsv");
  flow.write("step\tcriterion\texcluded\tremaining\n");
  const FlowCells cells = suppress_flow(cohort.flow, s);
  for (std::size_t i = 0; i < cohort.flow.size(); ++i)
    flow.write(fmt::format("{}\t{}\t{}\t{}\n", i, cohort.flow[i].criterion, cells.excluded[i], cells.remaining[i]));

  OutputFile balance(prefix + ".balance.tsv");
  balance.write("covariate\ttype\ttreatment_before\tcomparator_before\tsmd_before\ttreatment_after\tcomparator_after\tsmd_after\n");
  for (const BalanceRow& b : r.balance) {
    bool hidden = b.binary && (s.hides(b.count[0]) || s.hides(b.count[1]));
    auto share = [&](double v) { return hidden ? std::string("suppressed") : number(v); };
    balance.write(fmt::format("{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n", b.covariate, b.binary ? "binary" : "continuous",
                              share(b.mean_before[1]), share(b.mean_before[0]), share(b.smd_before),
                              share(b.mean_after[1]), share(b.mean_after[0]), share(b.smd_after)));
  }

  OutputFile km(prefix + ".km.tsv");
  km.write("arm\tstrategy\tdays\tat_risk\tevents\tsurvival\trisk\n");
  for (const CurvePoint& c : r.curve) {
    if (c.at_risk < s.below()) continue;
    km.write(fmt::format("{}\t{}\t{}\t{}\t{}\t{:.6f}\t{:.6f}\n", arm_label(c.arm), names[c.arm], c.days,
                         s.count(c.at_risk), s.count(c.events), c.survival, 1 - c.survival));
  }

  OutputFile estimates(prefix + ".estimates.tsv");
  estimates.write("estimate\tarm\thorizon_days\tvalue\tlower\tupper\tmethod\n");
  auto row = [&](const std::string& what, const std::string& arm, const std::string& horizon, const Estimate& e,
                 const std::string& method) {
    estimates.write(fmt::format("{}\t{}\t{}\t{}\t{}\t{}\t{}\n", what, arm, horizon, number(e.value, 6),
                                number(e.lower, 6), number(e.upper, 6), method));
  };
  auto count_row = [&](const std::string& what, int arm, std::uint64_t c) {
    estimates.write(fmt::format("{}\t{}\tNA\t{}\tNA\tNA\tcount\n", what, arm_label(arm), s.count(c)));
  };
  for (int a = 1; a >= 0; --a) {
    const ArmSummary& arm = r.arms[a];
    count_row(cohort.cloned ? "clones" : "persons", a, arm.persons);
    if (arm.left_out > 0) count_row("left_out_by_adjustment", a, arm.left_out);
    if (cohort.cloned) {
      count_row("initiated_within_grace", a, arm.initiated);
      count_row("censored_other_strategy_first", a, arm.deviated(Deviation::kOtherStrategyFirst));
      count_row("censored_both_same_day", a, arm.deviated(Deviation::kBothSameDay));
      count_row("censored_no_initiation", a, arm.deviated(Deviation::kNoInitiation));
    }
    count_row("switched_strategy", a, arm.deviated(Deviation::kSwitch));
    count_row("discontinued_strategy", a, arm.deviated(Deviation::kDiscontinuation));
    count_row("events", a, arm.events);
    Estimate py;
    py.value = r.arms[a].person_years;
    row("person_years", arm_label(a), "NA", py, "sum");
  }
  const std::string ipcw = p.analysis.stabilised_censoring_weights ? "stabilised IPCW" : "unstabilised IPCW";
  std::string adjusted = p.analysis.adjustment == Adjustment::kWeighting ? "stabilised IPTW"
                         : p.analysis.adjustment == Adjustment::kMatching ? "propensity-score matching"
                                                                            : "no adjustment";
  if (p.estimand == Estimand::kPerProtocol) adjusted += " and " + ipcw;
  if (cohort.cloned)
    adjusted = p.analysis.adjustment == Adjustment::kWeighting ? "clone-censor-weight, " + ipcw
                                                               : "clone-censor, no weights";
  row("hazard_ratio", "treatment_vs_comparator", "NA", r.crude_hr, cohort.cloned ? "crude Cox (clones, no weights)" : "crude Cox");
  row("hazard_ratio", "treatment_vs_comparator", "NA", r.adjusted_hr, "weighted Cox, " + adjusted + ", robust 95% CI");
  row("hazard_ratio", "treatment_vs_comparator", "NA", r.adjusted_hr_bootstrap,
      fmt::format("weighted Cox, {}, bootstrap percentile 95% CI ({} replicates)", adjusted, r.bootstrap_replicates));
  row("hazard_ratio", "treatment_vs_comparator", "NA", r.outcome_model_hr, "Cox adjusted for the confounders (conditional)");
  std::string risk_method = fmt::format("weighted Kaplan-Meier, bootstrap percentile 95% CI ({} replicates)", r.bootstrap_replicates);
  for (const HorizonRisk& h : r.horizons) {
    std::string days = fmt::format("{}", h.days);
    row("risk", "treatment", days, h.risk[1], risk_method);
    row("risk", "comparator", days, h.risk[0], risk_method);
    row("risk_difference", "treatment_vs_comparator", days, h.difference, risk_method);
    row("risk_ratio", "treatment_vs_comparator", days, h.ratio, risk_method);
  }

  // The summary a reader sees first.
  std::string text = fmt::format("Target trial emulation: {}\n", p.name);
  text += fmt::format("  estimand {}; {} vs {}; outcome {} within {} days\n", estimand_name(p.estimand),
                      p.treatment.name, p.comparator.name, p.outcome.endpoint, p.outcome.follow_up_days);
  if (cohort.cloned)
    text += fmt::format("  time zero at eligibility ({}); strategies: initiate within {} days; every person cloned "
                        "into both arms\n", p.enrolment.eligibility_endpoint, p.enrolment.initiation_grace_days);
  text += fmt::format("  adjustment: {}\n", adjusted);
  for (int a = 1; a >= 0; --a) {
    const ArmSummary& arm = r.arms[a];
    text += fmt::format("  {:<28} {:>8} {} {:>7} events {:>10.0f} person-years", names[a], s.count(arm.persons),
                        cohort.cloned ? "clones " : "persons", s.count(arm.events), arm.person_years);
    if (cohort.cloned && p.analysis.adjustment == Adjustment::kWeighting)
      text += fmt::format("  weights {:.2f}-{:.2f}, effective size beyond the grace {:.0f}", arm.weight_min,
                          arm.weight_max, arm.effective_size);
    else if (p.analysis.adjustment == Adjustment::kWeighting)
      text += fmt::format("  weights {:.2f}-{:.2f}, effective size {:.0f}", arm.weight_min, arm.weight_max,
                          arm.effective_size);
    if (arm.left_out > 0)
      text += fmt::format("  ({} left out by {})", s.count(arm.left_out),
                          p.analysis.adjustment == Adjustment::kMatching ? "matching" : "trimming");
    text += "\n";
  }
  for (int a = 1; a >= 0; --a) {
    const ArmSummary& arm = r.arms[a];
    if (cohort.cloned)
      text += fmt::format("  {:<28} {} initiated within the grace; clones censored: {} initiated {} first, {} both "
                          "on one day, {} no initiation\n", names[a], s.count(arm.initiated),
                          s.count(arm.deviated(Deviation::kOtherStrategyFirst)), names[1 - a],
                          s.count(arm.deviated(Deviation::kBothSameDay)), s.count(arm.deviated(Deviation::kNoInitiation)));
    if (!cohort.cloned || p.estimand == Estimand::kPerProtocol)
      text += fmt::format("  {:<28} left the strategy during follow-up: {} switched, {} discontinued{}\n", names[a],
                          s.count(arm.deviated(Deviation::kSwitch)), s.count(arm.deviated(Deviation::kDiscontinuation)),
                          p.estimand == Estimand::kPerProtocol ? " (censored, weighted)"
                                                               : " (followed on: intention-to-treat)");
  }
  double worst_before = 0, worst_after = 0;
  for (const BalanceRow& b : r.balance) {
    if (std::isfinite(b.smd_before)) worst_before = std::max(worst_before, std::fabs(b.smd_before));
    if (std::isfinite(b.smd_after)) worst_after = std::max(worst_after, std::fabs(b.smd_after));
  }
  if (cohort.cloned)
    text += fmt::format("  largest |standardised mean difference| among clones followed beyond the grace: {:.3f} "
                        "unweighted, {:.3f} weighted\n", worst_before, worst_after);
  else
    text += fmt::format("  largest |standardised mean difference|: {:.3f} before, {:.3f} after adjustment\n",
                        worst_before, worst_after);
  text += fmt::format("  hazard ratio, crude:               {}\n", ci(r.crude_hr));
  text += fmt::format("  hazard ratio, adjusted:            {} robust; {} bootstrap\n", ci(r.adjusted_hr),
                      fmt::format("{} to {}", number(r.adjusted_hr_bootstrap.lower, 3), number(r.adjusted_hr_bootstrap.upper, 3)));
  text += fmt::format("  hazard ratio, outcome regression:  {}\n", ci(r.outcome_model_hr));
  for (const HorizonRisk& h : r.horizons)
    text += fmt::format("  risk at {} days: {} vs {}; difference {}; ratio {}\n", h.days, ci(h.risk[1]), ci(h.risk[0]),
                        ci(h.difference), ci(h.ratio));
  OutputFile summary(prefix + ".summary.txt");
  summary.write(text);

  for (OutputFile* f : {&flow, &balance, &km, &estimates, &summary}) f->commit();
  return text;
}

void write_cohort_table(const std::string& path, const registry::EventStore& store, const TrialCohort& cohort,
                        const TrialResults& results) {
  OutputFile out(path);
  // Clones have no propensity score or baseline weight; their censoring weights vary by interval.
  std::string header = cohort.cloned ? "person_id\tarm\ttime_zero\ttime\tevent\tdeviation\tdeviation_kind\tinitiation\t"
                                       "weight_after_grace\tweight_at_end"
                                     : "person_id\tarm\ttime_zero\ttime\tevent\tdeviation\tdeviation_kind\tpropensity\tweight";
  for (const auto& name : cohort.covariate_names) header += "\t" + name;
  out.write(header + "\n");
  auto day = [](double d) { return std::isfinite(d) ? fmt::format("{}", d) : std::string("NA"); };
  std::string line;
  for (std::size_t i = 0; i < cohort.size(); ++i) {
    line = fmt::format("{}\t{}\t{}\t{}\t{}\t{}\t{}", store.persons()[cohort.person[i]].id, cohort.arm[i],
                       format_date(cohort.time_zero[i]), cohort.time[i], cohort.event[i], day(cohort.deviation[i]),
                       deviation_name(cohort.deviation_kind[i]));
    auto weight = [](double w) { return std::isnan(w) ? std::string("NA") : fmt::format("{:.17g}", w); };
    if (cohort.cloned)
      line += fmt::format("\t{}\t{}\t{}", day(cohort.initiation[i]), weight(results.clone_weight_after_grace[i]),
                          weight(results.clone_weight_at_end[i]));
    else line += fmt::format("\t{:.17g}\t{:.17g}", results.weights.propensity[i], results.weights.weight[i]);
    for (std::size_t c = 0; c < cohort.covariate_names.size(); ++c) line += fmt::format("\t{:.17g}", cohort.covariate(i, c));
    out.write(line + "\n");
  }
  out.commit();
}

}  // namespace kohort::trial
