#include "stats/table.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cmath>
#include <limits>
#include <unordered_map>

#include <fmt/format.h>

#include "core/error.h"
#include "core/input.h"
#include "core/parallel.h"

namespace kohort::stats {
namespace {

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

char delimiter_for(const std::string& path, const std::string& header) {
  std::string name = path;
  if (ends_with(name, ".gz")) name.resize(name.size() - 3);
  if (ends_with(name, ".tsv") || ends_with(name, ".txt") || ends_with(name, ".tab")) return '\t';
  if (ends_with(name, ".csv")) return ',';
  return header.find('\t') != std::string::npos ? '\t' : ',';
}

std::string_view unquote(std::string_view field) {
  if (field.size() >= 2 && field.front() == '"' && field.back() == '"') return field.substr(1, field.size() - 2);
  return field;
}

bool is_missing(std::string_view v) { return v.empty() || v == "NA" || v == "NaN" || v == "." || v == "nan"; }

// Plain decimals ("-12.345") with at most 15 significant digits: mantissa / 10^k with both exact
// doubles is one correctly rounded division, so this equals from_chars (Clinger's fast path).
bool parse_simple_decimal(std::string_view v, double& out) {
  static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                      1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  std::size_t i = 0;
  bool negative = false;
  if (i < v.size() && (v[i] == '-' || v[i] == '+')) negative = v[i++] == '-';
  std::uint64_t mantissa = 0;
  int digits = 0, fraction = -1;
  bool any = false;
  for (; i < v.size(); ++i) {
    const char ch = v[i];
    if (ch >= '0' && ch <= '9') {
      any = true;
      if (mantissa != 0 || ch != '0') ++digits;
      mantissa = mantissa * 10 + static_cast<std::uint64_t>(ch - '0');
      if (fraction >= 0) ++fraction;
      if (digits > 15 || fraction > 22) return false;
    } else if (ch == '.' && fraction < 0) {
      fraction = 0;
    } else {
      return false;
    }
  }
  if (!any) return false;
  double x = static_cast<double>(mantissa);
  if (fraction > 0) x /= kPow10[fraction];
  out = negative ? -x : x;
  return true;
}

// Parses a whole field as a number; false if any character is left over.
bool parse_number(std::string_view v, double& out) {
  if (parse_simple_decimal(v, out)) return true;
  const char* begin = v.data();
  const char* end = v.data() + v.size();
  if (begin != end && *begin == '+') ++begin;
  auto [ptr, ec] = std::from_chars(begin, end, out);
  if (ec == std::errc::result_out_of_range) return ptr == end;  // denormals/overflow: keep what we got
  if (ec != std::errc() || ptr != end) {
    if (v == "Inf" || v == "inf") { out = std::numeric_limits<double>::infinity(); return true; }
    if (v == "-Inf" || v == "-inf") { out = -std::numeric_limits<double>::infinity(); return true; }
    return false;
  }
  return true;
}

struct NeedsFactor {
  std::size_t column;
};

Table read_once(const std::string& path, const std::vector<ColumnRequest>& request, const std::vector<bool>& as_factor) {
  LineReader reader(path);
  std::string header;
  if (!reader.next(header)) throw InputError(path, 1, "the file is empty; expected a header line naming the columns");
  const char delim = delimiter_for(path, header);
  std::vector<std::string_view> fields;
  split(header, delim, fields);
  std::unordered_map<std::string, std::size_t> position;
  for (std::size_t i = 0; i < fields.size(); ++i) position.emplace(std::string(unquote(fields[i])), i);

  Table table;
  table.path = path;
  std::vector<std::size_t> source(request.size());
  std::vector<std::unordered_map<std::string, std::int32_t>> level_index(request.size());
  for (std::size_t c = 0; c < request.size(); ++c) {
    auto it = position.find(request[c].name);
    if (it == position.end()) {
      std::string names;
      for (std::size_t i = 0; i < fields.size() && i < 30; ++i) names += (i ? ", " : "") + std::string(unquote(fields[i]));
      throw InputError(path, 1, fmt::format("no column '{}' in the header; the columns are: {}", request[c].name, names));
    }
    source[c] = it->second;
    Column col;
    col.name = request[c].name;
    col.is_factor = as_factor[c];
    table.columns.push_back(std::move(col));
  }

  // Lines are read in blocks and the numbers parsed in parallel; factor labels are interned
  // afterwards in file order. Within a block the first bad line (by line number) is reported,
  // so errors do not depend on the thread count.
  const std::size_t width = fields.size();
  constexpr std::size_t kBlock = 1 << 15, kGrain = 2048;
  std::vector<std::string> lines(kBlock);
  std::vector<std::uint64_t> numbers(kBlock);
  std::vector<std::string_view> labels;  // block rows x request columns (factor columns only)
  struct Problem {
    std::size_t row = SIZE_MAX;
    std::string message;
    std::size_t needs_factor = SIZE_MAX;
  };
  for (;;) {
    std::size_t m = 0;
    while (m < kBlock && reader.next(lines[m])) {
      if (lines[m].empty()) continue;
      numbers[m++] = reader.line_number();
    }
    if (m == 0) break;
    const std::size_t base = table.line.size();
    for (std::size_t c = 0; c < request.size(); ++c)
      if (!table.columns[c].is_factor) table.columns[c].values.resize(base + m);
    labels.assign(m * request.size(), std::string_view());
    std::vector<Problem> problems((m + kGrain - 1) / kGrain);
    parallel_for(m, kGrain, [&](std::size_t begin, std::size_t end) {
      Problem& problem = problems[begin / kGrain];
      std::vector<std::string_view> f;
      for (std::size_t r = begin; r < end; ++r) {
        split(lines[r], delim, f);
        if (f.size() != width) {
          problem.row = r;
          problem.message = fmt::format("{} fields, but the header has {}; is the delimiter '{}' right?", f.size(), width,
                                        delim == '\t' ? "\\t" : std::string(1, delim));
          return;
        }
        for (std::size_t c = 0; c < request.size(); ++c) {
          std::string_view v = unquote(f[source[c]]);
          Column& col = table.columns[c];
          if (col.is_factor) {
            labels[r * request.size() + c] = v;
            continue;
          }
          double x;
          if (is_missing(v)) {
            col.values[base + r] = std::numeric_limits<double>::quiet_NaN();
          } else if (parse_number(v, x)) {
            col.values[base + r] = x;
          } else {
            problem.row = r;
            if (request[c].kind == ColumnKind::kNumericOrFactor) problem.needs_factor = c;
            else problem.message = fmt::format("column '{}' has '{}'; expected a number or NA", col.name, v);
            return;
          }
        }
      }
    });
    for (const Problem& problem : problems) {  // chunks in file order: the first is the earliest line
      if (problem.row == SIZE_MAX) continue;
      if (problem.needs_factor != SIZE_MAX) throw NeedsFactor{problem.needs_factor};
      throw InputError(path, numbers[problem.row], problem.message);
    }
    for (std::size_t c = 0; c < request.size(); ++c) {
      Column& col = table.columns[c];
      if (!col.is_factor) continue;
      for (std::size_t r = 0; r < m; ++r) {
        const std::string_view v = labels[r * request.size() + c];
        if (is_missing(v)) { col.codes.push_back(-1); continue; }
        auto [it, inserted] = level_index[c].try_emplace(std::string(v), static_cast<std::int32_t>(col.levels.size()));
        if (inserted) col.levels.emplace_back(v);
        col.codes.push_back(it->second);
      }
    }
    table.line.insert(table.line.end(), numbers.begin(), numbers.begin() + static_cast<std::ptrdiff_t>(m));
  }
  table.rows = table.line.size();
  // Levels in byte order, as R's factor() sorts them in the C locale.
  for (auto& col : table.columns) {
    if (!col.is_factor) continue;
    std::vector<std::int32_t> order(col.levels.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::int32_t>(i);
    std::sort(order.begin(), order.end(), [&](auto a, auto b) { return col.levels[a] < col.levels[b]; });
    std::vector<std::int32_t> recode(order.size());
    std::vector<std::string> sorted(order.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
      recode[order[i]] = static_cast<std::int32_t>(i);
      sorted[i] = col.levels[order[i]];
    }
    for (auto& code : col.codes)
      if (code >= 0) code = recode[code];
    col.levels = std::move(sorted);
  }
  return table;
}

}  // namespace

const Column& Table::column(const std::string& name) const {
  for (const auto& c : columns)
    if (c.name == name) return c;
  throw Error("column '" + name + "' was not requested from " + path);
}

Table read_table(const std::string& path, const std::vector<ColumnRequest>& request) {
  std::vector<bool> as_factor(request.size());
  for (std::size_t c = 0; c < request.size(); ++c) as_factor[c] = request[c].kind == ColumnKind::kFactor;
  // A covariate that turns out to hold text is re-read as a factor (rare; keeps the common case lean).
  for (;;) {
    try {
      return read_once(path, request, as_factor);
    } catch (const NeedsFactor& need) {
      as_factor[need.column] = true;
    }
  }
}

std::vector<std::string> split_names(const std::string& list) {
  std::vector<std::string> names;
  std::string current;
  for (char ch : list + ",") {
    if (ch == ',') {
      if (!current.empty()) names.push_back(current);
      current.clear();
    } else if (ch != ' ') {
      current += ch;
    }
  }
  return names;
}

}  // namespace kohort::stats
