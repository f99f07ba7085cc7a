#include "stats/table.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <cstdint>
#include <cmath>
#include <filesystem>
#include <limits>
#include <unordered_map>

#include <fmt/format.h>
#include <zlib.h>

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

// Plain decimals ("-12.345") with at most 15 digits: mantissa / 10^k with both exact doubles is
// one correctly rounded division, so this equals from_chars (Clinger's fast path). Leading zeros
// count as digits here, which only sends a few more values to from_chars.
// Parses from `at` up to the first character that cannot continue the decimal; returns where it
// stopped, or null if what came before is not a plain decimal of at most 15 digits.
const char* parse_decimal_prefix(const char* at, const char* const end, double& out) {
  static constexpr double kPow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  bool negative = false;
  if (at != end && (*at == '-' || *at == '+')) negative = *at++ == '-';
  auto digit = [](char ch) { return static_cast<unsigned char>(ch - '0') <= 9; };
  std::uint64_t mantissa = 0;
  const char* const integer = at;
  while (at != end && digit(*at)) mantissa = mantissa * 10 + static_cast<std::uint64_t>(*at++ - '0');
  std::size_t digits = static_cast<std::size_t>(at - integer), fraction = 0;
  if (at != end && *at == '.') {
    const char* const first = ++at;
    while (at != end && digit(*at)) mantissa = mantissa * 10 + static_cast<std::uint64_t>(*at++ - '0');
    fraction = static_cast<std::size_t>(at - first);
    digits += fraction;
  }
  if (digits == 0 || digits > 15) return nullptr;  // more than 15 digits may not be exact
  double x = static_cast<double>(mantissa);
  if (fraction > 0) x /= kPow10[fraction];
  out = negative ? -x : x;
  return at;
}

bool parse_simple_decimal(std::string_view v, double& out) {
  const char* const end = v.data() + v.size();
  return parse_decimal_prefix(v.data(), end, out) == end;
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

// Reads a (possibly gzip-compressed) text file in large blocks that end at a line break, so the
// lines of a block can be parsed in parallel.
class BlockReader {
 public:
  explicit BlockReader(const std::string& path) : path_(path) {
    file_ = gzopen(path.c_str(), "rb");
    if (!file_) throw InputError(path, fmt::format("cannot open: {}", std::strerror(errno ? errno : ENOENT)));
    gzbuffer(file_, 1 << 18);
  }
  ~BlockReader() { gzclose(file_); }
  BlockReader(const BlockReader&) = delete;
  BlockReader& operator=(const BlockReader&) = delete;

  // Rows the whole file will have, extrapolated from the first block (`bytes` holding `rows`) for
  // uncompressed files; just `rows` when the size is unknown (gzip).
  std::size_t expected_rows(std::size_t bytes, std::size_t rows) const {
    if (!gzdirect(file_) || bytes == 0) return rows;
    std::error_code error;
    const auto size = std::filesystem::file_size(path_, error);
    if (error || size <= bytes) return rows;
    return static_cast<std::size_t>(static_cast<double>(rows) * (static_cast<double>(size) / static_cast<double>(bytes)) * 1.02) + 16;
  }

  // The next run of whole lines, each ending in '\n'; false at the end of the file.
  bool next(std::string& block) {
    block.swap(carry_);
    carry_.clear();
    for (;;) {
      const std::size_t old = block.size();
      block.resize(old + kRead);
      const int got = gzread(file_, block.data() + old, static_cast<unsigned>(kRead));
      if (got < 0) {
        int err = 0;
        throw InputError(path_, fmt::format("cannot read: {} (damaged or truncated compressed file?)", gzerror(file_, &err)));
      }
      block.resize(old + static_cast<std::size_t>(got));
      if (got == 0) {  // end of file: the last line may lack its newline
        if (block.empty()) return false;
        if (block.back() != '\n') block.push_back('\n');
        return true;
      }
      const std::size_t last = block.rfind('\n');
      if (last == std::string::npos) continue;  // one very long line: read on
      carry_.assign(block, last + 1, std::string::npos);
      block.resize(last + 1);
      return true;
    }
  }

 private:
  static constexpr std::size_t kRead = 1 << 22;
  std::string path_;
  gzFile file_ = nullptr;
  std::string carry_;
};

// The fields of a line; a byte loop, as fields are short (a search call per field costs more).
void split_line(std::string_view line, char delim, std::vector<std::string_view>& fields) {
  fields.clear();
  const char* const data = line.data();
  std::size_t start = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (data[i] != delim) continue;
    fields.emplace_back(data + start, i - start);
    start = i + 1;
  }
  fields.emplace_back(data + start, line.size() - start);
}

// Reserves the numeric columns for the whole file once (growing them block by block copies them
// and faults in fresh pages each time).
void reserve_rows(Table& table, std::size_t rows) {
  table.line.reserve(rows);
  for (Column& col : table.columns)
    if (!col.is_factor) col.values.reserve(rows);
}

std::string_view strip_cr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

Table read_once(const std::string& path, const std::vector<ColumnRequest>& request, const std::vector<bool>& as_factor) {
  BlockReader reader(path);
  std::string block;
  if (!reader.next(block)) throw InputError(path, 1, "the file is empty; expected a header line naming the columns");
  const std::size_t header_end = block.find('\n');
  const std::string header(strip_cr(std::string_view(block).substr(0, header_end)));
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

  // Each block is cut into pieces at line breaks (by size alone, so the same at any thread
  // count); pieces count their lines, then parse them in parallel into their rows. Factor labels
  // are interned afterwards in file order; the first bad line of the block is reported.
  const std::size_t width = fields.size();
  const std::size_t columns = request.size();
  // The requested column read from each field; a field requested twice goes by the checked path.
  std::vector<std::size_t> column_of_field(width, SIZE_MAX);
  bool one_pass = true;
  for (std::size_t c = 0; c < columns; ++c) {
    one_pass = one_pass && column_of_field[source[c]] == SIZE_MAX;
    column_of_field[source[c]] = c;
  }
  constexpr std::size_t kPiece = 1 << 18;
  struct Piece {
    std::size_t begin = 0, end = 0;         // byte range in the block
    std::size_t rows = 0, lines = 0;        // non-empty lines, all lines
    std::size_t first_row = 0;
    std::uint64_t first_line = 0;
    std::uint64_t bad_line = 0;             // first bad line, 0 if none
    std::string message;
    std::size_t needs_factor = SIZE_MAX;
  };
  // Factor labels of the block, rows x factor columns; numeric-only tables need none.
  std::vector<std::size_t> label_slot(columns, SIZE_MAX);
  std::size_t factors = 0;
  for (std::size_t c = 0; c < columns; ++c)
    if (table.columns[c].is_factor) label_slot[c] = factors++;
  std::vector<std::string_view> labels;
  std::uint64_t next_line = 2;
  std::size_t offset = header_end + 1;      // the first block starts after the header
  do {
    const std::string_view data = std::string_view(block).substr(offset);
    offset = 0;
    std::vector<Piece> pieces;
    for (std::size_t at = 0; at < data.size();) {
      Piece piece;
      piece.begin = at;
      const std::size_t cut = std::min(data.size(), at + kPiece);
      piece.end = cut >= data.size() ? data.size() : data.find('\n', cut - 1) + 1;
      at = piece.end;
      pieces.push_back(std::move(piece));
    }
    parallel_for(pieces.size(), 1, [&](std::size_t b, std::size_t e) {
      for (std::size_t k = b; k < e; ++k) {
        Piece& piece = pieces[k];
        for (std::size_t at = piece.begin; at < piece.end;) {
          const std::size_t stop = data.find('\n', at);
          ++piece.lines;
          if (!strip_cr(data.substr(at, stop - at)).empty()) ++piece.rows;
          at = stop + 1;
        }
      }
    });
    const std::size_t base = table.line.size();
    std::size_t rows = 0;
    for (Piece& piece : pieces) {
      piece.first_row = rows;
      piece.first_line = next_line;
      rows += piece.rows;
      next_line += piece.lines;
    }
    table.line.resize(base + rows);
    for (std::size_t c = 0; c < columns; ++c)
      if (!table.columns[c].is_factor) table.columns[c].values.resize(base + rows);
    if (base == 0) reserve_rows(table, reader.expected_rows(data.size(), rows));
    labels.assign(rows * factors, std::string_view());
    // One pass over a line: plain decimals parse straight from the text, other fields go through
    // the general rules. False on anything wrong; the checked path below then reports it.
    auto fast_row = [&](std::string_view line, std::size_t row) {
      const char* at = line.data();
      const char* const end = at + line.size();
      for (std::size_t field = 0;; ++field) {
        if (field == width) return false;
        const std::size_t c = column_of_field[field];
        const char* field_end = nullptr;
        double x;
        if (c != SIZE_MAX && !table.columns[c].is_factor) {
          field_end = parse_decimal_prefix(at, end, x);
          if (field_end && (field_end == end || *field_end == delim)) {
            table.columns[c].values[base + row] = x;
          } else {
            field_end = std::find(at, end, delim);
            const std::string_view v = unquote(std::string_view(at, static_cast<std::size_t>(field_end - at)));
            if (is_missing(v)) x = std::numeric_limits<double>::quiet_NaN();
            else if (!parse_number(v, x)) return false;
            table.columns[c].values[base + row] = x;
          }
        } else {
          field_end = std::find(at, end, delim);
          if (c != SIZE_MAX) labels[row * factors + label_slot[c]] = unquote(std::string_view(at, static_cast<std::size_t>(field_end - at)));
        }
        if (field_end == end) return field + 1 == width;
        at = field_end + 1;
      }
    };
    parallel_for(pieces.size(), 1, [&](std::size_t b, std::size_t e) {
      std::vector<std::string_view> f;
      for (std::size_t k = b; k < e; ++k) {
        Piece& piece = pieces[k];
        std::size_t row = piece.first_row;
        std::uint64_t line_number = piece.first_line;
        for (std::size_t at = piece.begin; at < piece.end; ++line_number) {
          const std::size_t stop = data.find('\n', at);
          const std::string_view line = strip_cr(data.substr(at, stop - at));
          at = stop + 1;
          if (line.empty()) continue;
          if (one_pass && fast_row(line, row)) {
            table.line[base + row] = line_number;
            ++row;
            continue;
          }
          split_line(line, delim, f);
          if (f.size() != width) {
            piece.bad_line = line_number;
            piece.message = fmt::format("{} fields, but the header has {}; is the delimiter '{}' right?", f.size(), width,
                                        delim == '\t' ? "\\t" : std::string(1, delim));
            break;
          }
          for (std::size_t c = 0; c < columns && piece.bad_line == 0; ++c) {
            const std::string_view v = unquote(f[source[c]]);
            Column& col = table.columns[c];
            if (col.is_factor) {
              labels[row * factors + label_slot[c]] = v;
              continue;
            }
            double x;
            if (is_missing(v)) {
              col.values[base + row] = std::numeric_limits<double>::quiet_NaN();
            } else if (parse_number(v, x)) {
              col.values[base + row] = x;
            } else {
              piece.bad_line = line_number;
              if (request[c].kind == ColumnKind::kNumericOrFactor) piece.needs_factor = c;
              else piece.message = fmt::format("column '{}' has '{}'; expected a number or NA", col.name, v);
            }
          }
          if (piece.bad_line != 0) break;
          table.line[base + row] = line_number;
          ++row;
        }
      }
    });
    for (const Piece& piece : pieces) {  // pieces in file order: the first is the earliest line
      if (piece.bad_line == 0) continue;
      if (piece.needs_factor != SIZE_MAX) throw NeedsFactor{piece.needs_factor};
      throw InputError(path, piece.bad_line, piece.message);
    }
    for (std::size_t c = 0; c < columns; ++c) {
      Column& col = table.columns[c];
      if (!col.is_factor) continue;
      for (std::size_t r = 0; r < rows; ++r) {
        const std::string_view v = labels[r * factors + label_slot[c]];
        if (is_missing(v)) { col.codes.push_back(-1); continue; }
        auto [it, inserted] = level_index[c].try_emplace(std::string(v), static_cast<std::int32_t>(col.levels.size()));
        if (inserted) col.levels.emplace_back(v);
        col.codes.push_back(it->second);
      }
    }
  } while (reader.next(block));
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
