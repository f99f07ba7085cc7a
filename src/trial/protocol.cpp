// Protocol parsing: every key is known (a typo is an error, not a silent default), every value is
// checked for type and range, and messages name the file, line and key.
#include "trial/protocol.h"

#include <climits>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "core/error.h"

namespace kohort::trial {
namespace {

constexpr Date kUnset = INT32_MIN;

// Reads one section's keys, remembering which were used so that unknown keys can be reported.
class Section {
 public:
  Section(const toml::table& root, const std::string& name, const std::string& origin, bool required)
      : name_(name), origin_(origin) {
    const toml::node* node = root.get(name);
    if (!node) {
      if (required) throw InputError(origin, fmt::format("the protocol has no [{}] section; it is required", name));
      return;
    }
    table_ = node->as_table();
    line_ = node->source().begin.line;
    if (!table_) throw InputError(origin, line_, fmt::format("'{}' must be a [{}] section", name, name));
  }
  bool present() const { return table_ != nullptr; }

  template <typename T>
  bool get(const std::string& key, T& out) {
    const toml::node* node = find(key);
    if (!node) return false;
    if constexpr (std::is_same_v<T, int>) {
      auto v = node->value<std::int64_t>();
      if (!v) fail(*node, key, "must be a whole number");
      out = static_cast<int>(*v);
    } else if constexpr (std::is_same_v<T, double>) {
      auto v = node->value<double>();
      if (!v) fail(*node, key, "must be a number");
      out = *v;
    } else {
      auto v = node->value<T>();
      if (!v) fail(*node, key, std::is_same_v<T, bool> ? "must be true or false" : "must be a string");
      out = *v;
    }
    return true;
  }

  // A list of strings or of numbers.
  template <typename T>
  bool get_list(const std::string& key, std::vector<T>& out) {
    constexpr bool kStrings = std::is_same_v<T, std::string>;
    const std::string what = kStrings ? "must be a list of strings, such as [\"A\", \"B\"]"
                                      : "must be a list of numbers, such as [1, 2]";
    const toml::node* node = find(key);
    if (!node) return false;
    const toml::array* array = node->as_array();
    if (!array) fail(*node, key, what);
    out.clear();
    for (const auto& item : *array) {
      auto v = item.value<T>();
      if (!v) fail(item, key, what);
      out.push_back(*v);
    }
    return true;
  }

  Date get_date(const std::string& key, Date fallback) {
    std::string text;
    if (!get(key, text)) return fallback;
    auto date = parse_date(text);
    if (!date) fail(*find(key), key, fmt::format("is '{}'; expected a date YYYY-MM-DD", text));
    return *date;
  }

  // Throws for the first key that no get() asked for.
  void reject_unknown_keys() const {
    if (!table_) return;
    for (const auto& [key, node] : *table_) {
      std::string k(key.str());
      bool known = false;
      for (const auto& u : used_) known = known || u == k;
      if (!known) throw InputError(origin_, node.source().begin.line, fmt::format("[{}] has no key '{}'", name_, k));
    }
  }

  [[noreturn]] void fail(const toml::node& node, const std::string& key, const std::string& what) const {
    throw InputError(origin_, node.source().begin.line, fmt::format("[{}] {} {}", name_, key, what));
  }
  [[noreturn]] void fail(const std::string& key, const std::string& what) {
    const toml::node* node = find(key);
    throw InputError(origin_, node ? node->source().begin.line : line_, fmt::format("[{}] {} {}", name_, key, what));
  }

 private:
  const toml::node* find(const std::string& key) {
    used_.push_back(key);
    return table_ ? table_->get(key) : nullptr;
  }
  std::string name_, origin_;
  const toml::table* table_ = nullptr;
  std::uint64_t line_ = 0;
  std::vector<std::string> used_;
};

void check_atc_list(Section& section, const std::string& key, const std::vector<std::string>& atc, bool required) {
  if (required && atc.empty()) section.fail(key, "is empty: a strategy needs at least one ATC code or prefix");
  for (const auto& code : atc)
    if (!is_atc_prefix(code))
      section.fail(key, fmt::format("has '{}', which is not an ATC code or prefix (expected a level such as A10, A10B, "
                                    "A10BK or A10BK01; no wildcards or regular expressions)", code));
}

Strategy read_strategy(const toml::table& root, const std::string& name, const std::string& origin) {
  Section s(root, name, origin, true);
  Strategy strategy;
  strategy.name = name;
  s.get("name", strategy.name);
  if (!s.get_list("atc", strategy.atc)) s.fail("atc", "is missing: list the ATC codes or prefixes of the strategy");
  check_atc_list(s, "atc", strategy.atc, true);
  s.reject_unknown_keys();
  return strategy;
}

void check_positive(Section& s, const std::string& key, double value) {
  if (!(value > 0)) s.fail(key, "must be positive");
}

// A [lower, upper] pair within [0, 1].
bool get_unit_range(Section& s, const std::string& key, const std::string& what, double& lower, double& upper) {
  std::vector<double> range;
  if (!s.get_list(key, range)) return false;
  if (range.size() != 2 || !(range[0] >= 0 && range[0] < range[1] && range[1] <= 1))
    s.fail(key, fmt::format("must be [lower, upper] {}, 0 <= lower < upper <= 1", what));
  lower = range[0];
  upper = range[1];
  return true;
}

// time_zero, eligibility_endpoint and initiation_grace_days: the last two belong to, and are required
// by, time zero at eligibility.
void read_time_zero(Section& s, Enrolment& e) {
  std::string time_zero = "first-dispensing";
  s.get("time_zero", time_zero);
  if (time_zero == "first-dispensing") e.time_zero = TimeZero::kFirstDispensing;
  else if (time_zero == "eligibility") e.time_zero = TimeZero::kEligibility;
  else s.fail("time_zero", fmt::format("is '{}'; expected \"first-dispensing\" or \"eligibility\"", time_zero));
  bool endpoint = s.get("eligibility_endpoint", e.eligibility_endpoint);
  bool grace = s.get("initiation_grace_days", e.initiation_grace_days);
  if (e.time_zero == TimeZero::kFirstDispensing) {
    if (endpoint)
      s.fail("eligibility_endpoint", "applies only with time_zero = \"eligibility\" (time zero is the first dispensing here)");
    if (grace)
      s.fail("initiation_grace_days", "applies only with time_zero = \"eligibility\": with time zero at the first "
                                      "dispensing the strategy is initiated on day 0");
    return;
  }
  if (!endpoint)
    s.fail("time_zero", "is \"eligibility\" but eligibility_endpoint is missing: name the endpoint whose first date "
                        "makes a person eligible");
  if (e.eligibility_endpoint.empty()) s.fail("eligibility_endpoint", "is empty: name an endpoint");
  if (!grace)
    s.fail("time_zero", "is \"eligibility\" but initiation_grace_days is missing: the days after time zero within "
                        "which a strategy must be initiated (0: on the day of time zero)");
  if (e.initiation_grace_days < 0) s.fail("initiation_grace_days", "must not be negative");
}

}  // namespace

bool is_atc_prefix(std::string_view t) {
  // ATC levels: 1 letter, 2 digits, 1 letter, 1 letter, 2 digits -> lengths 1, 3, 4, 5, 7.
  auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  std::size_t n = t.size();
  if (n != 1 && n != 3 && n != 4 && n != 5 && n != 7) return false;
  if (!upper(t[0])) return false;
  if (n >= 3 && !(digit(t[1]) && digit(t[2]))) return false;
  if (n >= 4 && !upper(t[3])) return false;
  if (n >= 5 && !upper(t[4])) return false;
  if (n == 7 && !(digit(t[5]) && digit(t[6]))) return false;
  return true;
}

std::string_view estimand_name(Estimand e) {
  return e == Estimand::kIntentionToTreat ? "intention-to-treat" : "per-protocol";
}

std::string_view adjustment_name(Adjustment a) {
  switch (a) {
    case Adjustment::kWeighting: return "weighting";
    case Adjustment::kMatching: return "matching";
    case Adjustment::kNone: return "none";
  }
  return "";
}

Protocol parse_protocol(const std::string& text, const std::string& origin) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    throw InputError(origin, e.source().begin.line, std::string(e.description()));
  }
  static const char* kSections[] = {"trial", "enrolment", "treatment", "comparator", "outcome",
                                    "per_protocol", "confounders", "analysis"};
  for (const auto& [key, node] : root) {
    bool known = false;
    for (const char* s : kSections) known = known || key.str() == s;
    if (!known)
      throw InputError(origin, node.source().begin.line,
                       fmt::format("unknown section [{}]; expected trial, enrolment, treatment, comparator, outcome, "
                                   "per_protocol, confounders or analysis", key.str()));
  }
  Protocol p;
  p.origin = origin;

  Section trial(root, "trial", origin, true);
  if (!trial.get("name", p.name)) trial.fail("name", "is missing: give the trial a name");
  std::string estimand = "intention-to-treat";
  trial.get("estimand", estimand);
  if (estimand == "intention-to-treat") p.estimand = Estimand::kIntentionToTreat;
  else if (estimand == "per-protocol") p.estimand = Estimand::kPerProtocol;
  else trial.fail("estimand", fmt::format("is '{}'; expected intention-to-treat or per-protocol", estimand));
  trial.reject_unknown_keys();

  Section enrol(root, "enrolment", origin, true);
  Enrolment& e = p.enrolment;
  e.start = enrol.get_date("start", kUnset);
  e.end = enrol.get_date("end", kUnset);
  if (e.start == kUnset) enrol.fail("start", "is missing: the first day time zero may fall on (YYYY-MM-DD)");
  if (e.end == kUnset) enrol.fail("end", "is missing: the last day time zero may fall on (YYYY-MM-DD)");
  if (e.end < e.start) enrol.fail("end", "comes before start");
  std::vector<double> age;
  if (enrol.get_list("age", age)) {
    if (age.size() != 2 || !(age[0] <= age[1]) || age[0] < 0) enrol.fail("age", "must be [minimum, maximum] in years");
    e.age_min = age[0];
    e.age_max = age[1];
  }
  std::string sex = "any";
  enrol.get("sex", sex);
  if (sex == "M" || sex == "F") e.sex = sex[0];
  else if (sex != "any") enrol.fail("sex", fmt::format("is '{}'; expected \"M\", \"F\" or \"any\"", sex));
  enrol.get("washout_days", e.washout_days);
  if (e.washout_days < 0) enrol.fail("washout_days", "must not be negative");
  enrol.get_list("require", e.require);
  enrol.get_list("exclude", e.exclude);
  read_time_zero(enrol, e);
  enrol.reject_unknown_keys();

  p.treatment = read_strategy(root, "treatment", origin);
  p.comparator = read_strategy(root, "comparator", origin);
  for (const auto& a : p.treatment.atc)
    for (const auto& b : p.comparator.atc)
      if (a.compare(0, b.size(), b) == 0 || b.compare(0, a.size(), a) == 0)
        throw InputError(origin, fmt::format("[treatment] atc '{}' and [comparator] atc '{}' overlap: a dispensing "
                                             "must belong to one strategy only", a, b));

  Section outcome(root, "outcome", origin, true);
  if (!outcome.get("endpoint", p.outcome.endpoint)) outcome.fail("endpoint", "is missing: name the outcome endpoint");
  outcome.get("follow_up_days", p.outcome.follow_up_days);
  check_positive(outcome, "follow_up_days", p.outcome.follow_up_days);
  outcome.reject_unknown_keys();

  Section pp(root, "per_protocol", origin, false);
  Adherence& ad = p.adherence;
  pp.get("grace_days", ad.grace_days);
  if (ad.grace_days < 0) pp.fail("grace_days", "must not be negative");
  pp.get("ddd_per_day", ad.ddd_per_day);
  check_positive(pp, "ddd_per_day", ad.ddd_per_day);
  pp.get("default_supply_days", ad.default_supply_days);
  check_positive(pp, "default_supply_days", ad.default_supply_days);
  pp.get("weight_interval_days", ad.weight_interval_days);
  check_positive(pp, "weight_interval_days", ad.weight_interval_days);
  pp.reject_unknown_keys();

  Section conf(root, "confounders", origin, false);
  Confounders& c = p.confounders;
  conf.get("age", c.age);
  conf.get("sex", c.sex);
  conf.get("calendar_year", c.calendar_year);
  conf.get_list("endpoints", c.endpoints);
  conf.get_list("atc", c.atc);
  check_atc_list(conf, "atc", c.atc, false);
  conf.get("atc_lookback_days", c.atc_lookback_days);
  check_positive(conf, "atc_lookback_days", c.atc_lookback_days);
  conf.reject_unknown_keys();

  Section an(root, "analysis", origin, false);
  Analysis& a = p.analysis;
  std::string adjustment = "weighting";
  an.get("adjustment", adjustment);
  if (adjustment == "weighting") a.adjustment = Adjustment::kWeighting;
  else if (adjustment == "matching") a.adjustment = Adjustment::kMatching;
  else if (adjustment == "none") a.adjustment = Adjustment::kNone;
  else an.fail("adjustment", fmt::format("is '{}'; expected weighting, matching or none", adjustment));
  if (a.adjustment == Adjustment::kMatching && p.cloned())
    an.fail("adjustment", "is \"matching\", which needs time zero at the first dispensing: with time_zero = "
                          "\"eligibility\" the clones are weighted for their censoring (\"weighting\") or not (\"none\")");
  get_unit_range(an, "truncate_weights", "percentiles as fractions", a.truncate_lower, a.truncate_upper);
  if (get_unit_range(an, "trim_propensity", "propensity scores", a.trim_lower, a.trim_upper) && p.cloned())
    an.fail("trim_propensity", "does not apply with time_zero = \"eligibility\": the clones of a person are alike at "
                               "time zero, so there is no propensity score");
  std::string censoring_weights = "stabilised";
  an.get("censoring_weights", censoring_weights);
  if (censoring_weights == "stabilised") a.stabilised_censoring_weights = true;
  else if (censoring_weights == "unstabilised") a.stabilised_censoring_weights = false;
  else an.fail("censoring_weights", fmt::format("is '{}'; expected stabilised or unstabilised", censoring_weights));
  an.get("match_ratio", a.match_ratio);
  if (a.match_ratio < 1) an.fail("match_ratio", "must be at least 1");
  an.get("caliper", a.caliper);
  check_positive(an, "caliper", a.caliper);
  std::vector<double> horizons;
  if (an.get_list("horizons_days", horizons)) {
    a.horizons_days.clear();
    for (double h : horizons) {
      if (!(h > 0) || h != static_cast<int>(h)) an.fail("horizons_days", "must be whole numbers of days above 0");
      a.horizons_days.push_back(static_cast<int>(h));
    }
  }
  an.get("bootstrap", a.bootstrap);
  if (a.bootstrap < 0) an.fail("bootstrap", "must not be negative (0: no bootstrap)");
  int seed = 1;
  if (an.get("seed", seed)) {
    if (seed < 0) an.fail("seed", "must not be negative");
    a.seed = static_cast<std::uint64_t>(seed);
  }
  an.get("km_step_days", a.km_step_days);
  check_positive(an, "km_step_days", a.km_step_days);
  an.get("suppress_below", a.suppress_below);
  if (a.suppress_below < 1) an.fail("suppress_below", "must be at least 1 (1: no suppression)");
  an.reject_unknown_keys();
  return p;
}

Protocol read_protocol(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "cannot open the protocol file");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return parse_protocol(buffer.str(), path);
}

}  // namespace kohort::trial
