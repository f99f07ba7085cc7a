#pragma once
// Line-by-line reading of text tables, plain or gzip/bgzip-compressed (detected from content),
// keeping the file name and line number for error messages.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

typedef struct gzFile_s* gzFile;

namespace kohort {

class LineReader {
 public:
  explicit LineReader(std::string path);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // Reads the next line without its newline (and without a trailing '\r'); false at end of file.
  bool next(std::string& line);
  // Number of the line last returned, counting from 1.
  std::uint64_t line_number() const { return line_number_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  gzFile file_ = nullptr;
  std::uint64_t line_number_ = 0;
  std::vector<char> chunk_;
};

// Splits on a single-character separator; fields view into `line`.
void split(std::string_view line, char separator, std::vector<std::string_view>& fields);

// Splits on runs of spaces and tabs (the PLINK text formats).
void split_whitespace(std::string_view line, std::vector<std::string_view>& fields);

}  // namespace kohort
