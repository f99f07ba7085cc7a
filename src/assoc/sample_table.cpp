#include "assoc/sample_table.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <set>
#include <string_view>
#include <utility>

#include "assoc/design.h"
#include "core/error.h"
#include "core/input.h"

namespace kohort::assoc {
namespace {

bool parse_number(const std::string& text, double& value) {
  const char* begin = text.data();
  const char* end = begin + text.size();
  if (begin != end && *begin == '+') ++begin;
  auto result = std::from_chars(begin, end, value);
  return result.ec == std::errc() && result.ptr == end && std::isfinite(value);
}

}  // namespace

bool is_missing_value(const std::string& value) {
  // By length first: every value of every column passes here, and most are numbers.
  switch (value.size()) {
    case 0: return true;
    case 1: return value[0] == '.';
    case 2: return value == "NA" || value == "na";
    case 3: return value == "nan" || value == "NaN";
    default: return false;
  }
}

SampleTable::SampleTable(const std::string& path) : path_(path) {
  LineReader reader(path);
  std::string line;
  std::vector<std::string_view> fields;
  if (!reader.next(line)) throw InputError(path, 1, "empty file; expected a header line naming the columns");
  // Separator: tab if the header has one, comma for CSV, else runs of whitespace (PLINK style).
  enum { kTab, kComma, kSpace } separator = line.find('\t') != std::string::npos ? kTab
                                            : line.find(',') != std::string::npos ? kComma
                                                                                  : kSpace;
  auto split_line = [&](const std::string& text) {
    if (separator == kTab) split(text, '\t', fields);
    else if (separator == kComma) split(text, ',', fields);
    else split_whitespace(text, fields);
  };
  split_line(line);
  std::vector<std::string> header(fields.begin(), fields.end());
  if (!header.empty() && !header[0].empty() && header[0][0] == '#') header[0].erase(0, 1);
  // Id column: IID when present (FID IID ... layout), otherwise the first column.
  std::size_t id_column = 0, first_data = 1;
  if (header.size() >= 2 && header[0] == "FID" && header[1] == "IID") {
    id_column = 1;
    first_data = 2;
  }
  if (header.size() <= first_data) throw InputError(path, 1, "no data columns after the sample id column(s)");
  columns_.assign(header.begin() + static_cast<std::ptrdiff_t>(first_data), header.end());
  std::set<std::string> seen;
  for (const auto& name : columns_) {
    if (!seen.insert(name).second) throw InputError(path, 1, fmt::format("column '{}' appears twice in the header; expected unique names", name));
  }
  while (reader.next(line)) {
    if (line.empty()) continue;
    split_line(line);
    if (fields.size() != header.size()) {
      throw InputError(path, reader.line_number(),
                       fmt::format("{} fields, expected {} as in the header", fields.size(), header.size()));
    }
    std::string id(fields[id_column]);
    if (!row_of_.emplace(id, values_.size()).second) {
      throw InputError(path, reader.line_number(), fmt::format("sample '{}' appears twice; expected one row per sample", id));
    }
    values_.emplace_back(fields.begin() + static_cast<std::ptrdiff_t>(first_data), fields.end());
    line_of_.push_back(reader.line_number());
  }
}

std::size_t SampleTable::column_index(const std::string& name) const {
  for (std::size_t c = 0; c < columns_.size(); ++c)
    if (columns_[c] == name) return c;
  std::string available;
  for (auto& c : columns_) available += (available.empty() ? "" : ", ") + c;
  throw InputError(path_, fmt::format("no column named '{}'; columns are: {}", name, available));
}

std::vector<std::string> SampleTable::select_columns(const std::vector<std::string>& items, const std::string& flag) const {
  if (items.empty()) return columns_;
  auto find = [&](std::string_view name) -> std::ptrdiff_t {
    for (std::size_t c = 0; c < columns_.size(); ++c)
      if (columns_[c] == name) return static_cast<std::ptrdiff_t>(c);
    return -1;
  };
  std::vector<std::string> selected;
  for (const std::string& item : items) {
    if (find(item) >= 0) {
      selected.push_back(item);
      continue;
    }
    // FIRST-LAST: every dash that splits the item into two column names (names may hold dashes).
    std::vector<std::pair<std::ptrdiff_t, std::ptrdiff_t>> ranges;
    for (std::size_t dash = item.find('-'); dash != std::string::npos; dash = item.find('-', dash + 1)) {
      const std::ptrdiff_t first = find(std::string_view(item).substr(0, dash)), last = find(std::string_view(item).substr(dash + 1));
      if (first >= 0 && last >= 0) ranges.emplace_back(first, last);
    }
    if (ranges.empty()) {
      std::string available;
      for (std::size_t c = 0; c < columns_.size() && c < 20; ++c) available += (c ? ", " : "") + columns_[c];
      if (columns_.size() > 20) available += fmt::format(", ... ({} in all)", columns_.size());
      throw InputError(path_, fmt::format("{}: '{}' is neither a column nor a range FIRST-LAST of two columns; columns are: {}", flag, item,
                                          available));
    }
    if (ranges.size() > 1) {
      throw InputError(path_, fmt::format("{}: '{}' splits into a range of two columns at more than one dash; name the columns one by one", flag,
                                          item));
    }
    const auto [first, last] = ranges.front();
    if (first > last) {
      throw InputError(path_, fmt::format("{}: in '{}', {} comes after {} in the header; expected FIRST-LAST in the file's column order", flag,
                                          item, columns_[static_cast<std::size_t>(first)], columns_[static_cast<std::size_t>(last)]));
    }
    for (std::ptrdiff_t c = first; c <= last; ++c) selected.push_back(columns_[static_cast<std::size_t>(c)]);
  }
  return selected;
}

Eigen::VectorXd SampleTable::numeric(std::size_t column, const std::vector<std::string>& sample_ids) const {
  return numeric(column, rows(sample_ids));
}

std::vector<std::int64_t> SampleTable::rows(const std::vector<std::string>& sample_ids) const {
  std::vector<std::int64_t> out(sample_ids.size(), -1);
  for (std::size_t s = 0; s < sample_ids.size(); ++s) {
    auto row = row_of_.find(sample_ids[s]);
    if (row != row_of_.end()) out[s] = static_cast<std::int64_t>(row->second);
  }
  return out;
}

Eigen::VectorXd SampleTable::numeric(std::size_t column, const std::vector<std::int64_t>& rows) const {
  Eigen::VectorXd out(static_cast<Eigen::Index>(rows.size()));
  for (std::size_t s = 0; s < rows.size(); ++s) {
    double value = std::numeric_limits<double>::quiet_NaN();
    if (rows[s] >= 0) {
      const std::size_t row = static_cast<std::size_t>(rows[s]);
      const std::string& text = values_[row][column];
      if (!is_missing_value(text) && !parse_number(text, value)) {
        throw InputError(path_, line_of_[row],
                         fmt::format("column '{}': '{}' is not a number; expected a number or NA", columns_[column], text));
      }
    }
    out(static_cast<Eigen::Index>(s)) = value;
  }
  return out;
}

std::vector<std::string> SampleTable::text(std::size_t column, const std::vector<std::string>& sample_ids) const {
  std::vector<std::string> out(sample_ids.size());
  for (std::size_t s = 0; s < sample_ids.size(); ++s) {
    auto row = row_of_.find(sample_ids[s]);
    if (row != row_of_.end()) out[s] = values_[row->second][column];
  }
  return out;
}

bool SampleTable::is_numeric(std::size_t column) const {
  double value;
  for (auto& row : values_)
    if (!is_missing_value(row[column]) && !parse_number(row[column], value)) return false;
  return true;
}

Eigen::MatrixXd covariate_matrix(const SampleTable& table, const std::vector<std::string>& names,
                                 const std::vector<std::string>& sample_ids, std::vector<std::string>& expanded_names) {
  std::vector<Eigen::VectorXd> columns;
  expanded_names.clear();
  std::set<std::string> seen;
  for (auto& name : names) {
    if (!seen.insert(name).second) throw InputError(table.path(), fmt::format("covariate '{}' is named twice; expected each once", name));
    std::size_t c = table.column_index(name);
    if (table.is_numeric(c)) {
      columns.push_back(table.numeric(c, sample_ids));
      expanded_names.push_back(name);
      continue;
    }
    auto values = table.text(c, sample_ids);
    std::set<std::string> levels;
    for (auto& v : values)
      if (!is_missing_value(v)) levels.insert(v);
    bool first = true;
    for (auto& level : levels) {
      if (first) {  // reference level
        first = false;
        continue;
      }
      Eigen::VectorXd indicator(static_cast<Eigen::Index>(values.size()));
      for (std::size_t s = 0; s < values.size(); ++s)
        indicator(static_cast<Eigen::Index>(s)) = is_missing_value(values[s]) ? std::numeric_limits<double>::quiet_NaN() : (values[s] == level ? 1.0 : 0.0);
      columns.push_back(indicator);
      expanded_names.push_back(name + "=" + level);
    }
  }
  Eigen::MatrixXd out(static_cast<Eigen::Index>(sample_ids.size()), static_cast<Eigen::Index>(columns.size()));
  for (std::size_t c = 0; c < columns.size(); ++c) out.col(static_cast<Eigen::Index>(c)) = columns[c];
  check_covariates(out, expanded_names, table.path());
  return out;
}

void check_covariates(const Eigen::MatrixXd& covariates, const std::vector<std::string>& names, const std::string& path) {
  if (covariates.cols() == 0) return;
  std::vector<Eigen::Index> complete;
  for (Eigen::Index i = 0; i < covariates.rows(); ++i)
    if (!covariates.row(i).array().isNaN().any()) complete.push_back(i);
  if (complete.empty()) throw InputError(path, "no genotyped sample has a value for every covariate");
  Eigen::MatrixXd design(static_cast<Eigen::Index>(complete.size()), covariates.cols() + 1);
  for (std::size_t r = 0; r < complete.size(); ++r) {
    design(static_cast<Eigen::Index>(r), 0) = 1.0;
    design.row(static_cast<Eigen::Index>(r)).tail(covariates.cols()) = covariates.row(complete[r]);
  }
  const std::vector<std::size_t> left_out = left_out_covariates(independent_columns(design), design.cols());
  if (!left_out.empty()) {
    const std::size_t c = left_out.front();
    throw InputError(path, fmt::format("the covariates are collinear: '{}' is constant, or a combination of the intercept and the "
                                       "covariates before it, on all {} samples with covariates; remove it",
                                       c < names.size() ? names[c] : fmt::format("covariate {}", c + 1), complete.size()));
  }
}

}  // namespace kohort::assoc
