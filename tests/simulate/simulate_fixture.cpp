#include "simulate_fixture.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace kohort::test {
namespace fs = std::filesystem;

int run_kohort(const std::string& arguments) {
  std::string command = fmt::format("{} {}", KOHORT_BINARY, arguments);
  int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

namespace {
// Removes the shared simulation when the test binary exits.
struct ScratchDirectory {
  fs::path path;
  ~ScratchDirectory() {
    std::error_code ignored;
    if (!path.empty()) fs::remove_all(path, ignored);
  }
};
}  // namespace

const fs::path& shared_simulation() {
  static ScratchDirectory scratch;
  static const fs::path dir = [] {
    fs::path d = fs::temp_directory_path() / fmt::format("kohort-simulate-test-{}", getpid());
    fs::remove_all(d);
    int rc = run_kohort(fmt::format("--quiet simulate --persons 10000 --variants 20000 --seed 11 --out {} > /dev/null", d.string()));
    if (rc != 0) throw std::runtime_error("kohort simulate failed");
    scratch.path = d;
    return d;
  }();
  return dir;
}

std::vector<std::vector<std::string>> read_tsv(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  std::vector<std::vector<std::string>> rows;
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::stringstream ss(line);
    std::string field;
    while (std::getline(ss, field, '\t')) fields.push_back(field);
    rows.push_back(std::move(fields));
  }
  return rows;
}

std::string file_contents(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

BedFile::BedFile(const fs::path& prefix) {
  bytes_ = file_contents(prefix.string() + ".bed");
  samples_ = read_tsv(prefix.string() + ".fam").size();
  std::size_t per_variant = (samples_ + 3) / 4;
  variants_ = (bytes_.size() - 3) / per_variant;
  if (bytes_.size() != 3 + variants_ * per_variant) throw std::runtime_error("bad .bed size");
}

void BedFile::read(std::size_t variant, std::vector<int>& alt_counts) const {
  static constexpr int kAltCount[4] = {2, -1, 1, 0};  // first .bim allele is ALT
  std::size_t per_variant = (samples_ + 3) / 4;
  const auto* row = reinterpret_cast<const unsigned char*>(bytes_.data()) + 3 + variant * per_variant;
  alt_counts.resize(samples_);
  for (std::size_t k = 0; k < samples_; ++k) alt_counts[k] = kAltCount[(row[k / 4] >> (2 * (k % 4))) & 3];
}

}  // namespace kohort::test
