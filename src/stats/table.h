#pragma once
// Reading the named columns of a TSV/CSV table (plain or gzip) into memory: numeric columns as
// doubles (NaN for NA), categorical columns as integer codes into sorted levels.
#include <cstdint>
#include <string>
#include <vector>

namespace kohort::stats {

enum class ColumnKind {
  kNumeric,           // every value must be a number or NA
  kFactor,            // values are labels (strata, clusters)
  kNumericOrFactor,   // numeric if every value parses, else a factor (covariates)
};

struct ColumnRequest {
  std::string name;
  ColumnKind kind = ColumnKind::kNumeric;
};

struct Column {
  std::string name;
  bool is_factor = false;
  std::vector<double> values;        // numeric columns; NaN where NA
  std::vector<std::int32_t> codes;   // factor columns; -1 where NA, else index into levels
  std::vector<std::string> levels;   // factor levels in byte order (R's order in the C locale)
  bool missing(std::size_t row) const { return is_factor ? codes[row] < 0 : values[row] != values[row]; }
};

struct Table {
  std::string path;
  std::size_t rows = 0;
  std::vector<std::uint64_t> line;   // file line of each row, for error messages
  std::vector<Column> columns;       // in the order requested
  const Column& column(const std::string& name) const;
};

// Delimiter: tab for .tsv/.txt/.tab (optionally .gz), comma for .csv; otherwise the header decides
// (tab if it has one, else comma). Empty, "NA", "NaN" and "." are missing. Requested columns that
// are absent, or non-numeric text in a numeric column, raise InputError naming file, line and column.
Table read_table(const std::string& path, const std::vector<ColumnRequest>& request);

// Splits a comma-separated flag value ("a,b,c") into names, dropping empty entries.
std::vector<std::string> split_names(const std::string& list);

}  // namespace kohort::stats
