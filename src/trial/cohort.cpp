// Cohort construction: per person, time zero is the first dispensing of either strategy or, in the
// clone-censor-weight design, the first day of eligibility in the window; the eligibility criteria are applied in the protocol's order so that the flow says which criterion
// removed whom; follow-up runs to the outcome, death, emigration, end of data or the follow-up limit.
#include "trial/cohort.h"

#include <algorithm>
#include <atomic>
#include <cmath>

#include <fmt/format.h>

#include "core/error.h"
#include "core/log.h"
#include "core/parallel.h"
#include "trial/clones.h"

namespace kohort::trial {

using registry::kNoDate;
namespace {

constexpr std::size_t kBlock = 4096;

bool matches_any(const std::string& code, const std::vector<std::string>& prefixes) {
  for (const auto& p : prefixes)
    if (code.compare(0, p.size(), p) == 0) return true;
  return false;
}

// What a dictionary code means to the trial: which strategy it belongs to, which ATC confounders it is.
struct CodeRoles {
  std::vector<std::uint8_t> strategy;  // 0 none, 1 treatment, 2 comparator
  std::vector<std::uint64_t> confounder_atc;  // bit j: matches confounders.atc[j]
};

CodeRoles classify_codes(const registry::EventStore& store, const Protocol& protocol) {
  const auto& codes = store.codes();
  CodeRoles roles;
  roles.strategy.assign(codes.size(), 0);
  roles.confounder_atc.assign(codes.size(), 0);
  const auto& atc = protocol.confounders.atc;
  for (std::size_t c = 0; c < codes.size(); ++c) {
    if (codes[c].code_system != "ATC") continue;
    const std::string& code = codes[c].code;
    if (matches_any(code, protocol.treatment.atc)) roles.strategy[c] = 1;
    else if (matches_any(code, protocol.comparator.atc)) roles.strategy[c] = 2;
    for (std::size_t j = 0; j < atc.size(); ++j)
      if (code.compare(0, atc[j].size(), atc[j]) == 0) roles.confounder_atc[c] |= std::uint64_t{1} << j;
  }
  return roles;
}

// Flow steps, in the order the criteria are applied.
struct Steps {
  std::vector<std::string> names;
  std::size_t neither, window, washout, prior_use, both, age, sex, require, exclude, prior_outcome, outcome_undefined,
      no_follow_up;
};

Steps make_steps(const Protocol& p) {
  Steps s;
  auto add = [&](std::string name) {
    s.names.push_back(std::move(name));
    return s.names.size() - 1;
  };
  const Enrolment& e = p.enrolment;
  if (p.cloned()) {
    // Time zero is the eligibility date or the window start, so it cannot fall outside the window.
    s.neither = add(fmt::format("no {} on or before {} (never eligible)", e.eligibility_endpoint, format_date(e.end)));
    s.window = s.neither;
    s.washout = add(fmt::format("less than {} days of registry history before time zero", e.washout_days));
    s.prior_use = add(fmt::format("{} or {} dispensed before time zero (not a new user)", p.treatment.name,
                                  p.comparator.name));
  } else {
    s.neither = add(fmt::format("no dispensing of {} or {}", p.treatment.name, p.comparator.name));
    s.window = add(fmt::format("first dispensing (time zero) outside {} to {}", format_date(e.start), format_date(e.end)));
    s.washout = add(fmt::format("less than {} days of registry history before time zero", e.washout_days));
    s.prior_use = s.washout;  // time zero is the first dispensing: no earlier use by construction
  }
  s.both = add("both strategies dispensed at time zero");
  s.age = add(fmt::format("age at time zero outside {:g} to {:g} years", e.age_min, e.age_max));
  s.sex = add(e.sex ? fmt::format("sex other than {}", e.sex) : std::string("sex unknown"));
  s.require = s.names.size();
  for (const auto& r : e.require) add(fmt::format("no {} on or before time zero", r));
  s.exclude = s.names.size();
  for (const auto& x : e.exclude) add(fmt::format("{} on or before time zero", x));
  s.prior_outcome = add(fmt::format("outcome {} on or before time zero", p.outcome.endpoint));
  s.outcome_undefined = add(fmt::format("outcome {} not defined for the person (sex or control exclusion)", p.outcome.endpoint));
  s.no_follow_up = add("no follow-up after time zero (death, emigration or end of data)");
  return s;
}

// Results of one block of persons.
struct BlockResult {
  TrialCohort rows;
  std::vector<std::uint64_t> excluded;
};

class CohortBuilder {
 public:
  CohortBuilder(const registry::EventStore& store, const endpoint::EndpointEvaluator& evaluator, const Protocol& protocol)
      : store_(store), evaluator_(evaluator), p_(protocol), roles_(classify_codes(store, protocol)), steps_(make_steps(protocol)) {
    const std::string& o = protocol.origin;
    require_ = resolve_endpoints(evaluator, protocol.enrolment.require, o, "[enrolment] require");
    exclude_ = resolve_endpoints(evaluator, protocol.enrolment.exclude, o, "[enrolment] exclude");
    outcome_ = resolve_endpoints(evaluator, {protocol.outcome.endpoint}, o, "[outcome] endpoint")[0];
    confounder_endpoints_ = resolve_endpoints(evaluator, protocol.confounders.endpoints, o, "[confounders] endpoints");
    if (protocol.cloned())
      eligibility_ = resolve_endpoints(evaluator, {protocol.enrolment.eligibility_endpoint}, o,
                                       "[enrolment] eligibility_endpoint")[0];
    if (protocol.confounders.atc.size() > 64) throw InputError(o, "[confounders] atc lists more than 64 codes");
  }

  const Steps& steps() const { return steps_; }

  std::vector<std::string> covariate_names(std::vector<bool>& binary) const {
    std::vector<std::string> names;
    const Confounders& c = p_.confounders;
    auto add = [&](const std::string& name, bool is_binary) {
      names.push_back(name);
      binary.push_back(is_binary);
    };
    if (c.age) add("age", false);
    if (c.sex) add("male", true);
    if (c.calendar_year) add("calendar_year", false);
    for (const auto& e : c.endpoints) add(e, true);
    for (const auto& a : c.atc) add("ATC_" + a, true);
    return names;
  }

  void run_block(std::size_t begin, std::size_t end, BlockResult& out) const {
    const std::size_t n_endpoints = evaluator_.definitions().size();
    std::vector<endpoint::PersonEndpoint> results;
    evaluator_.evaluate(begin, end, results);
    out.excluded.assign(steps_.names.size(), 0);
    for (std::size_t person = begin; person < end; ++person)
      one_person(person, &results[(person - begin) * n_endpoints], out);
  }

 private:
  void one_person(std::size_t person, const endpoint::PersonEndpoint* endpoints, BlockResult& out) const {
    const auto& events = store_.events();
    const std::uint64_t first = store_.person_begin(person), last = store_.person_begin(person + 1);
    const Enrolment& e = p_.enrolment;
    auto exclude = [&](std::size_t step) { ++out.excluded[step]; };
    // Time zero: the first dispensing of either strategy, or the first day of eligibility in the window.
    Date t0 = kNoDate;
    if (p_.cloned()) {
      const endpoint::PersonEndpoint& eligible = endpoints[eligibility_];
      if (eligible.status != endpoint::kCase || eligible.date > e.end) return exclude(steps_.neither);
      t0 = std::max(eligible.date, e.start);
    }
    bool treatment = false, comparator = false, used_before = false;
    for (std::uint64_t i = first; i < last; ++i) {
      std::uint8_t s = roles_.strategy[events.code[i]];
      if (!s) continue;
      if (t0 == kNoDate) t0 = events.date[i];
      if (events.date[i] < t0) used_before = true;
      if (events.date[i] > t0) break;
      if (events.date[i] == t0) (s == 1 ? treatment : comparator) = true;
    }
    if (t0 == kNoDate) return exclude(steps_.neither);
    if (t0 < e.start || t0 > e.end) return exclude(steps_.window);
    const registry::Person& who = store_.persons()[person];
    Date history_from = t0 - e.washout_days;
    if (history_from < store_.coverage_start() || (who.birth != kNoDate && history_from < who.birth))
      return exclude(steps_.washout);
    if (used_before) return exclude(steps_.prior_use);
    if (treatment && comparator) return exclude(steps_.both);
    if (who.birth == kNoDate) return exclude(steps_.age);
    int age = age_in_years(who.birth, t0);
    if (age < e.age_min || age > e.age_max) return exclude(steps_.age);
    if ((e.sex && who.sex != e.sex) || (p_.confounders.sex && who.sex != 'M' && who.sex != 'F')) return exclude(steps_.sex);
    auto occurred_by = [&](std::uint32_t ep, Date date) {
      return endpoints[ep].status == endpoint::kCase && endpoints[ep].date <= date;
    };
    for (std::size_t r = 0; r < require_.size(); ++r)
      if (!occurred_by(require_[r], t0)) return exclude(steps_.require + r);
    for (std::size_t x = 0; x < exclude_.size(); ++x)
      if (occurred_by(exclude_[x], t0)) return exclude(steps_.exclude + x);
    const endpoint::PersonEndpoint& outcome = endpoints[outcome_];
    if (occurred_by(outcome_, t0)) return exclude(steps_.prior_outcome);
    if (outcome.status == endpoint::kExcluded) return exclude(steps_.outcome_undefined);
    Date end = std::min<Date>(store_.end_of_followup(person), t0 + p_.outcome.follow_up_days);
    if (end <= t0) return exclude(steps_.no_follow_up);

    bool event = outcome.status == endpoint::kCase && outcome.date <= end;
    const double follow_up = static_cast<double>((event ? outcome.date : end) - t0);
    const std::vector<Dispensing> dispensings = strategy_dispensings(first, last, t0);
    TrialCohort& c = out.rows;
    auto add_row = [&](std::uint8_t arm, double deviation, Deviation kind) {
      c.person.push_back(static_cast<std::uint32_t>(person));
      c.arm.push_back(arm);
      c.time_zero.push_back(t0);
      c.event.push_back(event);
      c.time.push_back(follow_up);
      c.deviation.push_back(deviation);
      c.deviation_kind.push_back(kind);
      add_covariates(first, last, t0, who, endpoints, c);
    };
    if (p_.cloned()) {
      auto clones = follow_clones(dispensings, e.initiation_grace_days, p_.adherence,
                                  p_.estimand == Estimand::kPerProtocol, follow_up);
      for (std::uint8_t arm : {1, 0}) {
        add_row(arm, clones[arm].censored, clones[arm].reason);
        c.initiation.push_back(clones[arm].initiation);
      }
      return;
    }
    Departure leave = leave_strategy(dispensings, 0, p_.adherence);
    if (leave.day >= follow_up) leave = Departure{};
    add_row(treatment ? 1 : 0, leave.day, leave.kind);
  }

  // Dispensings of either strategy from time zero on, in days since time zero.
  std::vector<Dispensing> strategy_dispensings(std::uint64_t first, std::uint64_t last, Date t0) const {
    const auto& events = store_.events();
    const Adherence& a = p_.adherence;
    std::vector<Dispensing> out;
    for (std::uint64_t i = first; i < last; ++i) {
      std::uint8_t s = roles_.strategy[events.code[i]];
      if (!s || events.date[i] < t0) continue;
      float ddd = events.value[i];
      double supply = std::isfinite(ddd) && ddd > 0 ? ddd / a.ddd_per_day : a.default_supply_days;
      out.push_back({static_cast<double>(events.date[i] - t0), s, supply});
    }
    return out;
  }

  void add_covariates(std::uint64_t first, std::uint64_t last, Date t0, const registry::Person& who,
                      const endpoint::PersonEndpoint* endpoints, TrialCohort& c) const {
    const Confounders& conf = p_.confounders;
    if (conf.age) c.covariates.push_back(age_years(who.birth, t0));
    if (conf.sex) c.covariates.push_back(who.sex == 'M' ? 1.0 : 0.0);
    if (conf.calendar_year) {
      int year;
      unsigned month, day;
      civil_from_date(t0, year, month, day);
      c.covariates.push_back(year + (t0 - make_date(year, 1, 1)) / 365.25);
    }
    for (std::uint32_t ep : confounder_endpoints_)
      c.covariates.push_back(endpoints[ep].status == endpoint::kCase && endpoints[ep].date <= t0 ? 1.0 : 0.0);
    if (!conf.atc.empty()) {
      std::uint64_t seen = 0;
      const auto& events = store_.events();
      for (std::uint64_t i = first; i < last && events.date[i] < t0; ++i)
        if (events.date[i] >= t0 - conf.atc_lookback_days) seen |= roles_.confounder_atc[events.code[i]];
      for (std::size_t j = 0; j < conf.atc.size(); ++j) c.covariates.push_back((seen >> j) & 1 ? 1.0 : 0.0);
    }
  }

  const registry::EventStore& store_;
  const endpoint::EndpointEvaluator& evaluator_;
  const Protocol& p_;
  CodeRoles roles_;
  Steps steps_;
  std::vector<std::uint32_t> require_, exclude_, confounder_endpoints_;
  std::uint32_t outcome_ = 0, eligibility_ = 0;
};

template <typename T>
void append(std::vector<T>& to, const std::vector<T>& from) {
  to.insert(to.end(), from.begin(), from.end());
}

}  // namespace

const char* deviation_name(Deviation kind) {
  static const char* names[kDeviationKinds] = {"none", "switch", "discontinuation", "other_strategy_first",
                                               "no_initiation", "both_same_day"};
  return names[static_cast<int>(kind)];
}

std::vector<std::uint32_t> resolve_endpoints(const endpoint::EndpointEvaluator& evaluator,
                                             const std::vector<std::string>& names, const std::string& origin,
                                             const std::string& what) {
  const auto& definitions = evaluator.definitions();
  std::vector<std::uint32_t> out;
  for (const auto& name : names) {
    auto it = std::find_if(definitions.begin(), definitions.end(), [&](const auto& d) { return d.name == name; });
    if (it == definitions.end())
      throw InputError(origin, fmt::format("{} '{}' is not defined: none of the {} endpoint definitions has that name",
                                           what, name, definitions.size()));
    out.push_back(static_cast<std::uint32_t>(it - definitions.begin()));
  }
  return out;
}

TrialCohort build_cohort(const registry::EventStore& store, const endpoint::EndpointEvaluator& evaluator,
                         const Protocol& protocol) {
  CohortBuilder builder(store, evaluator, protocol);
  const std::size_t n = store.persons().size();
  std::vector<BlockResult> blocks((n + kBlock - 1) / kBlock);
  Progress progress("trial cohort", n, "persons");
  std::atomic<std::uint64_t> done{0};
  parallel_for(n, kBlock, [&](std::size_t begin, std::size_t end) {
    builder.run_block(begin, end, blocks[begin / kBlock]);
    progress.update(done += end - begin);
  });
  progress.finish();

  TrialCohort cohort;
  cohort.cloned = protocol.cloned();
  cohort.covariate_names = builder.covariate_names(cohort.covariate_binary);
  std::vector<std::uint64_t> excluded(builder.steps().names.size(), 0);
  for (auto& b : blocks) {
    const TrialCohort& r = b.rows;
    append(cohort.person, r.person);
    append(cohort.arm, r.arm);
    append(cohort.time_zero, r.time_zero);
    append(cohort.covariates, r.covariates);
    append(cohort.time, r.time);
    append(cohort.event, r.event);
    append(cohort.deviation, r.deviation);
    append(cohort.deviation_kind, r.deviation_kind);
    append(cohort.initiation, r.initiation);
    for (std::size_t s = 0; s < excluded.size(); ++s) excluded[s] += b.excluded[s];
    b = BlockResult{};
  }
  std::uint64_t remaining = n;
  cohort.flow.push_back({"persons in the event store", 0, remaining});
  for (std::size_t s = 0; s < excluded.size(); ++s) {
    if (builder.steps().names[s] == "sex unknown" && excluded[s] == 0) continue;
    remaining -= excluded[s];
    cohort.flow.push_back({builder.steps().names[s], excluded[s], remaining});
  }
  std::uint64_t treated = 0, compared = 0;
  if (cohort.cloned) {
    // Every person has a clone in each arm; an arm is empty when no one initiated its strategy.
    for (std::size_t i = 0; i < cohort.size(); ++i)
      (cohort.arm[i] ? treated : compared) += std::isfinite(cohort.initiation[i]);
    cohort.flow.push_back({fmt::format("in the trial: clones assigned to {}", protocol.treatment.name), 0, remaining});
    cohort.flow.push_back({fmt::format("in the trial: clones assigned to {}", protocol.comparator.name), 0, remaining});
  } else {
    for (auto a : cohort.arm) treated += a;
    compared = cohort.size() - treated;
    cohort.flow.push_back({fmt::format("in the trial: {}", protocol.treatment.name), 0, treated});
    cohort.flow.push_back({fmt::format("in the trial: {}", protocol.comparator.name), 0, compared});
  }
  if (treated == 0 || compared == 0) {
    for (const auto& step : cohort.flow)
      log_warning(fmt::format("cohort flow: {}: {} excluded, {} remaining", step.criterion, step.excluded, step.remaining));
    const std::string& empty = treated == 0 ? protocol.treatment.name : protocol.comparator.name;
    if (cohort.cloned)
      throw InputError(protocol.origin,
                       fmt::format("the {} arm is empty: none of the {} eligible persons initiated it within the {} "
                                   "days of initiation_grace_days; check the ATC codes, the grace and the criteria "
                                   "(the cohort flow is above)", empty, remaining, protocol.enrolment.initiation_grace_days));
    throw InputError(protocol.origin,
                     fmt::format("the {} arm is empty after eligibility ({} eligible persons in all); check the ATC "
                                 "codes, the enrolment window and the criteria (the cohort flow is above)",
                                 empty, cohort.size()));
  }
  return cohort;
}

}  // namespace kohort::trial
