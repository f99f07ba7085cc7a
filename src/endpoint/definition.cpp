#include "endpoint/definition.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <toml++/toml.h>

#include "core/error.h"
#include "core/input.h"

namespace kohort::endpoint {
namespace {

const std::set<std::string> kSources = {"NPR", "KUHR", "LMR", "DAR", "KREFT", "SYSVAK", "MSIS"};
const std::set<std::string> kCodeSystems = {"ICD10", "ICPC2", "ATC", "NCSP"};

bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.'; }

class ConditionParser {
 public:
  ConditionParser(const std::string& text, const std::string& origin) : text_(text), origin_(origin) {}
  Condition parse() {
    Condition result = parse_or();
    skip_space();
    if (pos_ != text_.size()) fail("unexpected '" + text_.substr(pos_, 1) + "'");
    return result;
  }

 private:
  [[noreturn]] void fail(const std::string& what) {
    throw InputError(origin_, fmt::format("CONDITIONS '{}': {} at character {}; expected endpoint names joined by "
                                          "!, &, |, parentheses and <ENDPOINT>_NEVT>=n",
                                          text_, what, pos_ + 1));
  }
  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool accept(char c) {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  Condition parse_or() {
    Condition first = parse_and();
    if (!peek('|')) return first;
    Condition node{Condition::Kind::any, {}, {}, 0, {std::move(first)}};
    while (accept('|')) node.operands.push_back(parse_and());
    return node;
  }
  Condition parse_and() {
    Condition first = parse_unary();
    if (!peek('&')) return first;
    Condition node{Condition::Kind::all, {}, {}, 0, {std::move(first)}};
    while (accept('&')) node.operands.push_back(parse_unary());
    return node;
  }
  bool peek(char c) {
    skip_space();
    return pos_ < text_.size() && text_[pos_] == c;
  }
  Condition parse_unary() {
    if (accept('!')) return Condition{Condition::Kind::negate, {}, {}, 0, {parse_unary()}};
    if (accept('(')) {
      Condition inner = parse_or();
      if (!accept(')')) fail("missing ')'");
      return inner;
    }
    skip_space();
    std::size_t start = pos_;
    while (pos_ < text_.size() && is_name_char(text_[pos_])) ++pos_;
    if (start == pos_) fail(pos_ < text_.size() ? "unexpected '" + text_.substr(pos_, 1) + "'" : "expression ends early");
    std::string name = text_.substr(start, pos_ - start);
    skip_space();
    static const char* ops[] = {">=", "<=", "==", "!=", ">", "<"};
    for (const char* op : ops) {
      std::size_t len = std::char_traits<char>::length(op);
      if (text_.compare(pos_, len, op) == 0) {
        if (name.size() <= 5 || name.substr(name.size() - 5) != "_NEVT") fail("a comparison needs <ENDPOINT>_NEVT on its left");
        pos_ += len;
        skip_space();
        std::size_t digits = pos_;
        while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
        if (digits == pos_) fail("expected a whole number after " + std::string(op));
        return Condition{Condition::Kind::nevt, name.substr(0, name.size() - 5), op, std::stoi(text_.substr(digits, pos_ - digits)), {}};
      }
    }
    return Condition{Condition::Kind::endpoint, name, {}, 0, {}};
  }

  const std::string& text_;
  const std::string& origin_;
  std::size_t pos_ = 0;
};

void collect_references(const Condition& c, std::vector<std::string>& out) {
  if (c.kind == Condition::Kind::endpoint || c.kind == Condition::Kind::nevt) out.push_back(c.endpoint);
  for (const auto& o : c.operands) collect_references(o, out);
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::string item;
  std::stringstream in(text);
  while (std::getline(in, item, '|')) {
    item.erase(std::remove_if(item.begin(), item.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); }),
               item.end());
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// Source keys: NPR, LMR, ... or SOURCE_SYSTEM (NPR_NCSP, NPR_ICD10).
bool parse_source_key(const std::string& key, SourceRule& rule) {
  if (kSources.count(key)) {
    rule.source = key;
    return true;
  }
  auto underscore = key.find('_');
  if (underscore == std::string::npos) return false;
  std::string source = key.substr(0, underscore), system = key.substr(underscore + 1);
  if (!kSources.count(source) || !kCodeSystems.count(system)) return false;
  rule.source = source;
  rule.code_system = system;
  return true;
}

template <typename T>
T get_value(const toml::node& node, const std::string& origin, const std::string& what) {
  auto value = node.value<T>();
  if (!value) throw InputError(origin, fmt::format("{} has the wrong type", what));
  return *value;
}

std::vector<std::string> get_string_list(const toml::node& node, const std::string& origin, const std::string& what) {
  if (auto s = node.value<std::string>()) return split_list(*s);
  const toml::array* array = node.as_array();
  if (!array) throw InputError(origin, fmt::format("{} must be a list of endpoint names", what));
  std::vector<std::string> out;
  for (const auto& item : *array) out.push_back(get_value<std::string>(item, origin, what));
  return out;
}

}  // namespace

Condition parse_condition(const std::string& text, const std::string& origin) { return ConditionParser(text, origin).parse(); }

std::vector<Definition> parse_toml_definitions(const std::string& text, const std::string& origin) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    throw InputError(origin, e.source().begin.line, std::string(e.description()));
  }
  std::vector<Definition> out;
  for (const auto& [name_key, node] : root) {
    std::string name(name_key.str());
    std::size_t line = node.source().begin.line;
    std::string where = fmt::format("{}:{}", origin, line);
    const toml::table* table = node.as_table();
    if (!table) throw InputError(origin, line, fmt::format("'{}' is not a table; expected [ENDPOINT_NAME] sections", name));
    Definition d;
    d.name = name;
    d.origin = where;
    std::string context = fmt::format("endpoint {}", name);
    for (const auto& [key_key, value] : *table) {
      std::string key(key_key.str());
      std::string what = fmt::format("endpoint {}: '{}'", name, key);
      SourceRule rule;
      if (key == "description") d.description = get_value<std::string>(value, where, what);
      else if (key == "sex") {
        std::string sex = get_value<std::string>(value, where, what);
        if (sex != "M" && sex != "F") throw InputError(where, what + " must be \"M\" or \"F\"");
        d.sex = sex[0];
      } else if (key == "age_min") d.age_min = get_value<double>(value, where, what);
      else if (key == "age_max") d.age_max = get_value<double>(value, where, what);
      else if (key == "include") d.include = get_string_list(value, where, what);
      else if (key == "control_exclude") d.control_exclude = get_string_list(value, where, what);
      else if (key == "conditions") {
        d.conditions_text = get_value<std::string>(value, where, what);
        d.conditions = parse_condition(d.conditions_text, where + ": endpoint " + name);
      } else if (parse_source_key(key, rule)) {
        const toml::table* source_table = value.as_table();
        if (!source_table) throw InputError(where, what + " must be a table such as { codes = \"I50\" }");
        if (rule.source == "LMR") rule.min_events = 3;
        for (const auto& [field_key, field] : *source_table) {
          std::string f(field_key.str());
          std::string fwhat = fmt::format("endpoint {}: {}.{}", name, key, f);
          if (f == "codes") rule.codes = get_value<std::string>(field, where, fwhat);
          else if (f == "exclude") rule.exclude = get_value<std::string>(field, where, fwhat);
          else if (f == "main_only") rule.main_only = get_value<bool>(field, where, fwhat);
          else if (f == "need_other") rule.need_other = get_value<bool>(field, where, fwhat);
          else if (f == "min_events") {
            rule.min_events = static_cast<int>(get_value<std::int64_t>(field, where, fwhat));
            if (rule.min_events < 1) throw InputError(where, fwhat + " must be at least 1");
          } else throw InputError(where, fmt::format("{}: unknown field; expected codes, exclude, main_only, min_events, need_other", fwhat));
        }
        if (rule.codes.empty()) throw InputError(where, what + " has no codes");
        d.rules.push_back(std::move(rule));
      } else {
        throw InputError(where, fmt::format("{}: unknown key; expected description, sex, age_min, age_max, include, "
                                            "conditions, control_exclude or a source (NPR, KUHR, LMR, DAR, KREFT, "
                                            "SYSVAK, MSIS, optionally _ICD10/_ICPC2/_ATC/_NCSP)",
                                            what));
      }
    }
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<Definition> parse_finngen_table(const std::string& path) {
  LineReader reader(path);
  std::string line;
  std::vector<std::string_view> fields;
  if (!reader.next(line)) throw InputError(path, 1, "empty file; expected a header with NAME and source columns");
  split(line, '\t', fields);
  std::map<std::string, std::size_t> column;
  for (std::size_t i = 0; i < fields.size(); ++i) column[std::string(fields[i])] = i;
  if (!column.count("NAME")) throw InputError(path, 1, "no NAME column; expected a FinnGen-style definitions table");
  static const std::set<std::string> known = {
      "NAME", "LONGNAME", "SEX", "INCLUDE", "CONDITIONS", "CONTROL_EXCLUDE", "HD_ICD_10", "HD_ICD_10_EXCL",
      "HD_MAINONLY", "COD_ICD_10", "COD_ICD_10_EXCL", "COD_MAINONLY", "OUTPAT_ICD", "OUTPAT_ICD_EXCL", "OUTPAT_OPER",
      "OPER_NOM", "KELA_ATC", "KELA_ATC_NEEDOTHER", "CANC_TOPO", "KUHR_ICPC2", "KUHR_ICPC2_EXCL", "TAGS", "LEVEL",
      "OMIT"};
  for (const auto& [name, index] : column)
    if (!known.count(name))
      throw InputError(path, 1, fmt::format("column '{}' is not supported; see docs/endpoints.md for the FinnGen column mapping", name));
  std::vector<Definition> out;
  while (reader.next(line)) {
    if (line.empty()) continue;
    split(line, '\t', fields);
    std::string where = fmt::format("{}:{}", path, reader.line_number());
    auto get = [&](const char* name) -> std::string {
      auto it = column.find(name);
      if (it == column.end() || it->second >= fields.size()) return {};
      std::string value(fields[it->second]);
      return value == "NA" ? std::string() : value;
    };
    auto yes = [&](const char* name) {
      std::string v = get(name);
      return v == "YES" || v == "yes" || v == "1" || v == "TRUE";
    };
    Definition d;
    d.name = get("NAME");
    if (d.name.empty()) throw InputError(path, reader.line_number(), "NAME is empty");
    d.origin = where;
    d.description = get("LONGNAME");
    std::string sex = get("SEX");
    if (sex == "1") d.sex = 'M';
    else if (sex == "2") d.sex = 'F';
    else if (!sex.empty()) throw InputError(path, reader.line_number(), fmt::format("SEX '{}'; expected 1 (men), 2 (women) or empty", sex));
    d.include = split_list(get("INCLUDE"));
    d.control_exclude = split_list(get("CONTROL_EXCLUDE"));
    d.conditions_text = get("CONDITIONS");
    if (!d.conditions_text.empty()) d.conditions = parse_condition(d.conditions_text, where + ": endpoint " + d.name);
    auto add = [&](const char* codes_column, const char* exclude_column, const char* source, const char* system,
                   bool main_only, bool need_other) {
      std::string codes = get(codes_column);
      if (codes.empty()) return;
      SourceRule rule;
      rule.source = source;
      rule.code_system = system;
      rule.codes = codes;
      rule.exclude = exclude_column ? get(exclude_column) : std::string();
      rule.main_only = main_only;
      rule.need_other = need_other;
      rule.min_events = rule.source == "LMR" ? 3 : 1;
      d.rules.push_back(std::move(rule));
    };
    add("HD_ICD_10", "HD_ICD_10_EXCL", "NPR", "ICD10", yes("HD_MAINONLY"), false);
    add("OUTPAT_ICD", "OUTPAT_ICD_EXCL", "NPR", "ICD10", false, false);
    add("COD_ICD_10", "COD_ICD_10_EXCL", "DAR", "ICD10", yes("COD_MAINONLY"), false);
    add("KELA_ATC", nullptr, "LMR", "ATC", false, yes("KELA_ATC_NEEDOTHER"));
    add("CANC_TOPO", nullptr, "KREFT", "", false, false);
    add("OPER_NOM", nullptr, "NPR", "NCSP", false, false);
    add("OUTPAT_OPER", nullptr, "NPR", "NCSP", false, false);
    add("KUHR_ICPC2", "KUHR_ICPC2_EXCL", "KUHR", "ICPC2", false, false);
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<Definition> read_definitions(const std::string& path) {
  namespace fs = std::filesystem;
  auto read_file = [](const fs::path& file) {
    if (file.extension() == ".tsv") return parse_finngen_table(file.string());
    std::ifstream in(file);
    if (!in) throw InputError(file.string(), "cannot open the definitions file");
    std::stringstream buffer;
    buffer << in.rdbuf();
    return parse_toml_definitions(buffer.str(), file.string());
  };
  if (!fs::exists(path)) throw InputError(path, "no such definitions file or directory");
  if (!fs::is_directory(path)) return read_file(path);
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(path))
    if (entry.path().extension() == ".toml" || entry.path().extension() == ".tsv") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  if (files.empty()) throw InputError(path, "directory holds no *.toml or *.tsv definitions");
  std::vector<Definition> all;
  for (const auto& file : files) {
    auto part = read_file(file);
    std::move(part.begin(), part.end(), std::back_inserter(all));
  }
  return all;
}

std::vector<Definition> validate_and_order(std::vector<Definition> definitions) {
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < definitions.size(); ++i) {
    const Definition& d = definitions[i];
    if (!index.emplace(d.name, i).second)
      throw InputError(d.origin, fmt::format("endpoint {} is defined twice (first at {})", d.name, definitions[index[d.name]].origin));
    if (d.age_min && d.age_max && *d.age_min > *d.age_max)
      throw InputError(d.origin, fmt::format("endpoint {}: age_min is above age_max", d.name));
    for (const SourceRule& rule : d.rules) {
      for (const std::string* pattern : {&rule.codes, &rule.exclude}) {
        if (pattern->empty()) continue;
        try {
          std::regex check(*pattern);
        } catch (const std::regex_error& e) {
          throw InputError(d.origin, fmt::format("endpoint {}: {} pattern '{}' is not a valid regular expression ({})",
                                                 d.name, rule.source, *pattern, e.what()));
        }
      }
    }
  }
  // Dependencies, checked for unknown names, then ordered depth-first with cycle detection.
  std::vector<std::vector<std::size_t>> depends(definitions.size());
  for (std::size_t i = 0; i < definitions.size(); ++i) {
    const Definition& d = definitions[i];
    auto add = [&](const std::string& name, const char* where) {
      auto it = index.find(name);
      if (it == index.end())
        throw InputError(d.origin, fmt::format("endpoint {}: {} names unknown endpoint {}", d.name, where, name));
      depends[i].push_back(it->second);
    };
    for (const auto& name : d.include) add(name, "INCLUDE");
    for (const auto& name : d.control_exclude) add(name, "control_exclude");
    if (d.conditions) {
      std::vector<std::string> refs;
      collect_references(*d.conditions, refs);
      for (const auto& name : refs) add(name, "CONDITIONS");
    }
  }
  std::vector<int> state(definitions.size(), 0);  // 0 new, 1 on the stack, 2 done
  std::vector<std::size_t> order, stack;
  std::function<void(std::size_t)> visit = [&](std::size_t i) {
    if (state[i] == 2) return;
    if (state[i] == 1) {
      std::string cycle;
      auto from = std::find(stack.begin(), stack.end(), i);
      for (auto it = from; it != stack.end(); ++it) cycle += definitions[*it].name + " -> ";
      cycle += definitions[i].name;
      throw InputError(definitions[i].origin, "endpoint definitions depend on each other in a cycle: " + cycle);
    }
    state[i] = 1;
    stack.push_back(i);
    for (std::size_t j : depends[i]) visit(j);
    stack.pop_back();
    state[i] = 2;
    order.push_back(i);
  };
  for (std::size_t i = 0; i < definitions.size(); ++i) visit(i);
  std::vector<Definition> ordered;
  ordered.reserve(order.size());
  for (std::size_t i : order) ordered.push_back(std::move(definitions[i]));
  return ordered;
}

}  // namespace kohort::endpoint
