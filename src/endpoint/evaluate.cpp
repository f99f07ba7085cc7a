#include "endpoint/evaluate.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <regex>

#include "core/parallel.h"

namespace kohort::endpoint {
namespace {

// A code pattern compiled once. Plain alternations of literal prefixes ("I50|I110") are matched
// by prefix comparison; anything else by std::regex anchored at the start of the code.
class CodePattern {
 public:
  explicit CodePattern(const std::string& pattern) {
    bool literal = !pattern.empty() && std::all_of(pattern.begin(), pattern.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '|';
    });
    if (literal) {
      std::size_t start = 0;
      while (start <= pattern.size()) {
        std::size_t bar = pattern.find('|', start);
        if (bar == std::string::npos) bar = pattern.size();
        prefixes_.push_back(pattern.substr(start, bar - start));
        start = bar + 1;
      }
    } else {
      regex_.emplace(pattern, std::regex::ECMAScript | std::regex::optimize);
    }
  }
  bool matches(const std::string& code) const {
    if (regex_) return std::regex_search(code, *regex_, std::regex_constants::match_continuous);
    for (const auto& p : prefixes_)
      if (code.compare(0, p.size(), p) == 0) return true;
    return false;
  }

 private:
  std::vector<std::string> prefixes_;
  std::optional<std::regex> regex_;
};

void collect_names(const Condition& c, std::vector<std::string>& out) {
  if (c.kind == Condition::Kind::endpoint || c.kind == Condition::Kind::nevt) out.push_back(c.endpoint);
  for (const auto& o : c.operands) collect_names(o, out);
}

}  // namespace

EndpointEvaluator::EndpointEvaluator(const registry::EventStore& store, std::vector<Definition> definitions)
    : store_(store), definitions_(std::move(definitions)) {
  std::map<std::string, std::uint32_t> index;
  for (std::uint32_t e = 0; e < definitions_.size(); ++e) index[definitions_[e].name] = e;
  const auto& codes = store_.codes();
  // Codes grouped by source so each rule is tried only on the codes of its source.
  std::map<std::string, std::vector<std::uint32_t>> codes_of_source;
  for (std::uint32_t c = 0; c < codes.size(); ++c) codes_of_source[codes[c].source].push_back(c);
  std::vector<std::vector<std::uint32_t>> rules_per_code(codes.size());
  endpoints_.resize(definitions_.size());
  condition_names_.resize(definitions_.size());
  for (std::uint32_t e = 0; e < definitions_.size(); ++e) {
    const Definition& d = definitions_[e];
    CompiledEndpoint& ce = endpoints_[e];
    ce.sex = d.sex;
    ce.age_min = d.age_min ? static_cast<int>(std::ceil(*d.age_min)) : -1;
    ce.age_max = d.age_max ? static_cast<int>(std::floor(*d.age_max)) : -1;
    for (const auto& n : d.include) ce.include.push_back(index.at(n));
    for (const auto& n : d.control_exclude) ce.control_exclude.push_back(index.at(n));
    if (d.conditions) {
      ce.conditions = &*d.conditions;
      std::vector<std::string> names;
      collect_names(*d.conditions, names);
      for (const auto& n : names) condition_names_[e].push_back(index.at(n));
    }
    for (const SourceRule& rule : d.rules) {
      auto r = static_cast<std::uint32_t>(rules_.size());
      rules_.push_back({e, rule.min_events, rule.main_only, rule.need_other});
      ce.rules.push_back(r);
      auto found = codes_of_source.find(rule.source);
      if (found == codes_of_source.end()) continue;
      CodePattern include(rule.codes);
      std::optional<CodePattern> exclude;
      if (!rule.exclude.empty()) exclude.emplace(rule.exclude);
      for (std::uint32_t c : found->second) {
        if (!rule.code_system.empty() && codes[c].code_system != rule.code_system) continue;
        if (include.matches(codes[c].code) && !(exclude && exclude->matches(codes[c].code))) rules_per_code[c].push_back(r);
      }
    }
  }
  code_begin_.assign(codes.size() + 1, 0);
  for (std::size_t c = 0; c < codes.size(); ++c) {
    code_begin_[c + 1] = code_begin_[c] + static_cast<std::uint32_t>(rules_per_code[c].size());
    rules_of_code_.insert(rules_of_code_.end(), rules_per_code[c].begin(), rules_per_code[c].end());
  }
}

// Conditions name endpoints by position in condition_names_ (collected in the same walk order).
bool EndpointEvaluator::holds(const Condition& c, const std::vector<std::uint32_t>& names, const PersonEndpoint* row) const {
  std::size_t next = 0;
  std::function<bool(const Condition&)> eval = [&](const Condition& node) -> bool {
    switch (node.kind) {
      case Condition::Kind::endpoint: return row[names[next++]].status == kCase;
      case Condition::Kind::nevt: {
        const PersonEndpoint& other = row[names[next++]];
        long n = other.status == kCase ? static_cast<long>(other.events) : 0;
        if (node.op == ">=") return n >= node.count;
        if (node.op == ">") return n > node.count;
        if (node.op == "<=") return n <= node.count;
        if (node.op == "<") return n < node.count;
        if (node.op == "==") return n == node.count;
        return n != node.count;
      }
      case Condition::Kind::negate: return !eval(node.operands[0]);
      case Condition::Kind::all: {
        bool all = true;
        for (const auto& o : node.operands) all = eval(o) && all;  // evaluate every operand to keep `next` in step
        return all;
      }
      case Condition::Kind::any: {
        bool any = false;
        for (const auto& o : node.operands) any = eval(o) || any;
        return any;
      }
    }
    return false;
  };
  return eval(c);
}

void EndpointEvaluator::evaluate(std::size_t begin, std::size_t end, std::vector<PersonEndpoint>& out) const {
  const std::size_t n_endpoints = endpoints_.size();
  out.assign((end - begin) * n_endpoints, PersonEndpoint{});
  std::vector<std::uint32_t> count(rules_.size(), 0);
  std::vector<registry::Date> first(rules_.size(), registry::kNoDate);
  std::vector<std::uint32_t> touched;
  const auto& events = store_.events();
  for (std::size_t person = begin; person < end; ++person) {
    const registry::Person& p = store_.persons()[person];
    PersonEndpoint* row = out.data() + (person - begin) * n_endpoints;
    for (std::uint64_t i = store_.person_begin(person); i < store_.person_begin(person + 1); ++i) {
      std::uint32_t code = events.code[i];
      std::uint32_t from = code_begin_[code], to = code_begin_[code + 1];
      if (from == to) continue;
      registry::Date date = events.date[i];
      registry::Role role = events.role[i];
      int age = -2;
      for (std::uint32_t k = from; k < to; ++k) {
        std::uint32_t r = rules_of_code_[k];
        const CompiledRule& rule = rules_[r];
        if (rule.main_only && role != registry::Role::main && role != registry::Role::underlying) continue;
        const CompiledEndpoint& ce = endpoints_[rule.endpoint];
        if (ce.age_min >= 0 || ce.age_max >= 0) {
          if (age == -2) age = age_in_years(p.birth, date);
          if ((ce.age_min >= 0 && age < ce.age_min) || (ce.age_max >= 0 && age > ce.age_max)) continue;
        }
        if (count[r]++ == 0) {
          first[r] = date;  // events are sorted by date within a person
          touched.push_back(r);
        }
      }
    }
    for (std::size_t e = 0; e < n_endpoints; ++e) {
      const CompiledEndpoint& ce = endpoints_[e];
      PersonEndpoint& result = row[e];
      if (ce.sex && ce.sex != p.sex) {
        result.status = kExcluded;
        continue;
      }
      bool case_ = false;
      bool other_case = false;
      registry::Date date = registry::kNoDate;
      std::uint32_t n = 0;
      for (std::uint32_t r : ce.rules)
        if (!rules_[r].need_other && count[r] > 0 && static_cast<int>(count[r]) >= rules_[r].min_events) other_case = true;
      for (std::uint32_t r : ce.rules) {
        if (count[r] == 0 || static_cast<int>(count[r]) < rules_[r].min_events) continue;
        if (rules_[r].need_other && !other_case) continue;
        case_ = true;
        date = date == registry::kNoDate ? first[r] : std::min(date, first[r]);
        n += count[r];
      }
      if (case_ && ce.conditions && !holds(*ce.conditions, condition_names_[e], row)) {
        case_ = false;
        date = registry::kNoDate;
        n = 0;
      }
      for (std::uint32_t inc : ce.include) {
        if (row[inc].status != kCase) continue;
        case_ = true;
        date = date == registry::kNoDate ? row[inc].date : std::min(date, row[inc].date);
        n += row[inc].events;
      }
      if (case_) {
        result = {kCase, date, n};
        continue;
      }
      for (std::uint32_t x : ce.control_exclude)
        if (row[x].status == kCase) result.status = kExcluded;
    }
    for (std::uint32_t r : touched) count[r] = 0;
    touched.clear();
  }
}

}  // namespace kohort::endpoint
