#include "core/input.h"

#include <fmt/format.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>

#include "core/error.h"

namespace kohort {

LineReader::LineReader(std::string path) : path_(std::move(path)), chunk_(1 << 16) {
  file_ = gzopen(path_.c_str(), "rb");
  if (!file_) throw InputError(path_, fmt::format("cannot open: {}", std::strerror(errno ? errno : ENOENT)));
  gzbuffer(file_, 1 << 18);
}

LineReader::~LineReader() {
  if (file_) gzclose(file_);
}

bool LineReader::next(std::string& line) {
  line.clear();
  bool any = false;
  while (gzgets(file_, chunk_.data(), static_cast<int>(chunk_.size())) != nullptr) {
    any = true;
    std::size_t n = std::strlen(chunk_.data());
    if (n > 0 && chunk_[n - 1] == '\n') {
      line.append(chunk_.data(), n - 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      ++line_number_;
      return true;
    }
    line.append(chunk_.data(), n);
  }
  int err = 0;
  const char* message = gzerror(file_, &err);
  if (err != Z_OK && err != Z_BUF_ERROR) {
    throw InputError(path_, line_number_ + 1, fmt::format("cannot read: {} (damaged or truncated compressed file?)", message));
  }
  if (!any) return false;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  ++line_number_;
  return true;
}

void split(std::string_view line, char separator, std::vector<std::string_view>& fields) {
  fields.clear();
  std::size_t start = 0;
  while (true) {
    std::size_t end = line.find(separator, start);
    if (end == std::string_view::npos) {
      fields.push_back(line.substr(start));
      return;
    }
    fields.push_back(line.substr(start, end - start));
    start = end + 1;
  }
}

void split_whitespace(std::string_view line, std::vector<std::string_view>& fields) {
  fields.clear();
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) fields.push_back(line.substr(start, i - start));
  }
}

}  // namespace kohort
