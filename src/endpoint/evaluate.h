#pragma once
// Evaluates every endpoint for a range of persons in one pass over their events: code patterns
// are compiled once into, per dictionary code, the list of rules it satisfies.
#include <cstdint>
#include <vector>

#include "endpoint/definition.h"
#include "registry/event_store.h"

namespace kohort::endpoint {

inline constexpr std::int8_t kControl = 0;
inline constexpr std::int8_t kCase = 1;
inline constexpr std::int8_t kExcluded = -1;  // written NA: other sex or control exclusion

struct PersonEndpoint {
  std::int8_t status = kControl;
  registry::Date date = registry::kNoDate;  // first qualifying event (cases only)
  std::uint32_t events = 0;                 // number of qualifying events (cases only)
};

class EndpointEvaluator {
 public:
  // `definitions` must come from validate_and_order (dependencies first).
  EndpointEvaluator(const registry::EventStore& store, std::vector<Definition> definitions);

  const std::vector<Definition>& definitions() const { return definitions_; }
  // Results of persons [begin, end): out[(person - begin) * endpoints + endpoint].
  void evaluate(std::size_t begin, std::size_t end, std::vector<PersonEndpoint>& out) const;

 private:
  struct CompiledRule {
    std::uint32_t endpoint;
    int min_events;
    bool main_only;
    bool need_other;
  };
  struct CompiledEndpoint {
    std::vector<std::uint32_t> rules;
    std::vector<std::uint32_t> include;
    std::vector<std::uint32_t> control_exclude;
    const Condition* conditions = nullptr;
    char sex = 0;
    int age_min = -1, age_max = -1;  // completed years, inclusive; -1: no limit
  };
  bool holds(const Condition& c, const std::vector<std::uint32_t>& names, const PersonEndpoint* row) const;

  const registry::EventStore& store_;
  std::vector<Definition> definitions_;
  std::vector<CompiledRule> rules_;
  std::vector<CompiledEndpoint> endpoints_;
  // For dictionary code c: rules_of_code_[code_begin_[c] .. code_begin_[c+1]).
  std::vector<std::uint32_t> code_begin_;
  std::vector<std::uint32_t> rules_of_code_;
  // Endpoint indices of every name a condition mentions, resolved once.
  std::vector<std::vector<std::uint32_t>> condition_names_;
};

}  // namespace kohort::endpoint
