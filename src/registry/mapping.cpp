#include "registry/mapping.h"

#include <filesystem>
#include <fmt/format.h>
#include <map>
#include <toml++/toml.h>

#include "core/error.h"
#include "core/input.h"

namespace kohort::registry::detail {
namespace {

std::string get_string(const toml::table& table, const char* key, const std::string& where, bool required,
                       const std::string& fallback = "") {
  const toml::node* node = table.get(key);
  if (!node) {
    if (required) throw InputError(where, fmt::format("mapping needs '{}'", key));
    return fallback;
  }
  auto value = node->value<std::string>();
  if (!value) throw InputError(where, fmt::format("mapping '{}' must be a string", key));
  return *value;
}

char separator_of(const toml::table& table, const std::string& where) {
  const std::string s = get_string(table, "separator", where, false, "\t");
  if (s == "\\t" || s == "tab") return '\t';
  if (s.size() != 1) throw InputError(where, "mapping 'separator' must be one character");
  return s[0];
}

// Reads a delimited file with a header; calls row(line, field-by-column-name).
void read_table(const std::string& path, char separator,
                const std::function<void(std::uint64_t, const std::map<std::string, std::string>&)>& row) {
  LineReader reader(path);
  std::string line;
  std::vector<std::string_view> fields;
  if (!reader.next(line)) throw InputError(path, 1, "empty file; expected a header line");
  split(line, separator, fields);
  std::vector<std::string> header;
  for (auto f : fields) {
    while (!f.empty() && (f.back() == ' ' || f.back() == '"')) f.remove_suffix(1);
    while (!f.empty() && (f.front() == ' ' || f.front() == '"')) f.remove_prefix(1);
    header.emplace_back(f);
  }
  std::map<std::string, std::string> values;
  while (reader.next(line)) {
    if (line.empty()) continue;
    split(line, separator, fields);
    if (fields.size() != header.size())
      throw InputError(path, reader.line_number(), fmt::format("{} fields; the header has {}", fields.size(), header.size()));
    for (std::size_t i = 0; i < header.size(); ++i) {
      std::string_view v = fields[i];
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      values[header[i]].assign(v.data(), v.size());
    }
    row(reader.line_number(), values);
  }
}

std::string column(const std::map<std::string, std::string>& values, const std::string& name, const std::string& path) {
  auto it = values.find(name);
  if (it == values.end()) throw InputError(path, 1, fmt::format("no column '{}' named in the mapping", name));
  return it->second;
}

std::string or_na(std::string v) { return v.empty() ? std::string("NA") : v; }

}  // namespace

std::string reformat_date(const std::string& text, const std::string& format) {
  if (text.empty() || text == "NA") return "NA";
  int year = -1, month = -1, day = 1;
  std::size_t at = 0;
  for (std::size_t f = 0; f < format.size(); ++f) {
    if (format[f] == '%' && f + 1 < format.size()) {
      char spec = format[++f];
      std::size_t width = spec == 'Y' ? 4 : 2;
      if (at + width > text.size()) return text;
      int value = 0;
      for (std::size_t k = 0; k < width; ++k) {
        char c = text[at + k];
        if (c < '0' || c > '9') return text;
        value = value * 10 + (c - '0');
      }
      at += width;
      if (spec == 'Y') year = value;
      else if (spec == 'm') month = value;
      else if (spec == 'd') day = value;
      else return text;
    } else {
      if (at >= text.size() || text[at] != format[f]) return text;
      ++at;
    }
  }
  if (at != text.size() || year < 0 || month < 0) return text;
  return fmt::format("{:04d}-{:02d}-{:02d}", year, month, day);
}

std::vector<std::string> read_mapped(const std::string& mapping_path, const OmopPersonSink& person, const OmopEventSink& event) {
  toml::table root;
  try {
    root = toml::parse_file(mapping_path);
  } catch (const toml::parse_error& e) {
    throw InputError(mapping_path, e.source().begin.line, std::string(e.description()));
  }
  auto base = std::filesystem::path(mapping_path).parent_path();
  std::vector<std::string> inputs{mapping_path};
  const toml::table* persons = root["persons"].as_table();
  if (!persons) throw InputError(mapping_path, "mapping needs a [persons] table");
  {
    std::string where = mapping_path + " [persons]";
    std::string file = (base / get_string(*persons, "file", where, true)).string();
    inputs.push_back(file);
    std::string id = get_string(*persons, "id", where, true), sex = get_string(*persons, "sex", where, true);
    std::string birth = get_string(*persons, "birth", where, true), death = get_string(*persons, "death", where, false);
    std::string emigration = get_string(*persons, "emigration", where, false);
    std::string format = get_string(*persons, "date_format", where, false, "%Y-%m-%d");
    std::string male = get_string(*persons, "male", where, false, "M"), female = get_string(*persons, "female", where, false, "F");
    read_table(file, separator_of(*persons, where), [&](std::uint64_t line, const auto& values) {
      std::string s = column(values, sex, file);
      std::string sex_code = s == male ? "M" : s == female ? "F" : s;
      person(file, line, column(values, id, file), sex_code, reformat_date(column(values, birth, file), format),
             death.empty() ? "NA" : reformat_date(column(values, death, file), format),
             emigration.empty() ? "NA" : reformat_date(column(values, emigration, file), format));
    });
  }
  const toml::array* sources = root["events"].as_array();
  if (!sources) throw InputError(mapping_path, "mapping needs [[events]] tables");
  for (const auto& node : *sources) {
    const toml::table* t = node.as_table();
    std::string where = mapping_path + " [[events]]";
    if (!t) throw InputError(where, "each [[events]] entry must be a table");
    std::string file = (base / get_string(*t, "file", where, true)).string();
    inputs.push_back(file);
    std::string source = get_string(*t, "source", where, true), system = get_string(*t, "code_system", where, true);
    std::string id = get_string(*t, "id", where, true), date = get_string(*t, "date", where, true);
    std::string format = get_string(*t, "date_format", where, false, "%Y-%m-%d");
    std::string code = get_string(*t, "code", where, false), main = get_string(*t, "main", where, false);
    std::string value = get_string(*t, "value", where, false);
    std::vector<std::string> secondary;
    if (const toml::array* list = (*t)["secondary"].as_array())
      for (const auto& item : *list) secondary.push_back(item.value<std::string>().value_or(""));
    if (code.empty() == main.empty()) throw InputError(where, "give either 'code' (one code column) or 'main' (+ 'secondary')");
    const char* role_main = source == "DAR" ? "underlying" : "main";
    const char* role_secondary = source == "DAR" ? "contributing" : "secondary";
    read_table(file, separator_of(*t, where), [&](std::uint64_t line, const auto& values) {
      std::string person_id = column(values, id, file), when = reformat_date(column(values, date, file), format);
      std::string v = value.empty() ? "NA" : or_na(column(values, value, file));
      if (!code.empty()) {
        event(file, line, person_id, when, source.c_str(), system.c_str(), column(values, code, file), "NA", v);
        return;
      }
      std::string m = column(values, main, file);
      if (!m.empty()) event(file, line, person_id, when, source.c_str(), system.c_str(), m, role_main, v);
      for (const auto& s : secondary) {
        std::string c = column(values, s, file);
        if (!c.empty()) event(file, line, person_id, when, source.c_str(), system.c_str(), c, role_secondary, v);
      }
    });
  }
  return inputs;
}

}  // namespace kohort::registry::detail
