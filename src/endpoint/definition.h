#pragma once
// Endpoint definitions: kohort's TOML format (docs/endpoints.md) and FinnGen-style TSV tables,
// parsed into one validated, dependency-ordered list.
#include <cstdint>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

namespace kohort::endpoint {

// Codes of one source (and optionally one code system of it) that make events count.
struct SourceRule {
  std::string source;       // NPR, KUHR, LMR, DAR, KREFT, SYSVAK, MSIS
  std::string code_system;  // empty: every code system of the source
  std::string codes;        // regular expression, anchored at the start of the dotless code
  std::string exclude;      // regular expression; matching codes do not count (empty: none)
  bool main_only = false;   // NPR: main diagnosis only; DAR: underlying cause only
  int min_events = 1;       // LMR defaults to 3
  bool need_other = false;  // counts only when another rule of the endpoint also makes a case
};

// A boolean expression over other endpoints (CONDITIONS).
struct Condition {
  enum class Kind { endpoint, nevt, negate, all, any } kind = Kind::endpoint;
  std::string endpoint;  // endpoint and nevt
  std::string op;        // nevt: >= > <= < == !=
  int count = 0;         // nevt
  std::vector<Condition> operands;
};

struct Definition {
  std::string name;
  std::string description;
  std::string origin;  // "file" or "file:line", for messages
  std::vector<SourceRule> rules;
  char sex = 0;  // 'M', 'F' or 0 for both
  std::optional<double> age_min, age_max;  // age at the event in years, inclusive
  std::vector<std::string> include;
  std::optional<Condition> conditions;
  std::string conditions_text;
  std::vector<std::string> control_exclude;
};

// Parses a CONDITIONS expression: `!`, `&`, `|`, parentheses, endpoint names and `<EP>_NEVT>=n`.
Condition parse_condition(const std::string& text, const std::string& origin);

// Reads one TOML file (each top-level table is an endpoint) or every *.toml / *.tsv file in a
// directory (sorted by name). Files ending in .tsv are FinnGen-style tables.
std::vector<Definition> read_definitions(const std::string& path);
std::vector<Definition> parse_toml_definitions(const std::string& text, const std::string& origin);
std::vector<Definition> parse_finngen_table(const std::string& path);

// Checks regular expressions and references, and orders definitions so that every endpoint
// comes after those it depends on (INCLUDE, CONDITIONS, control exclusion). Throws InputError
// naming the definition for a bad regex, an unknown endpoint, a duplicate name or a cycle.
std::vector<Definition> validate_and_order(std::vector<Definition> definitions);

}  // namespace kohort::endpoint
