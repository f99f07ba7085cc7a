#pragma once
// Runs `kohort simulate` once per test binary into a scratch directory and reads its files back.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace kohort::test {

// Runs the kohort binary with `arguments`; returns its exit status.
int run_kohort(const std::string& arguments);

// A small simulated population shared by the tests in one binary (simulated on first use).
const std::filesystem::path& shared_simulation();

// A TSV file as rows of fields; the header is row 0.
std::vector<std::vector<std::string>> read_tsv(const std::filesystem::path& path);

// ALT allele counts (0, 1, 2; -1 missing) of one variant of a PLINK .bed, all samples.
class BedFile {
 public:
  BedFile(const std::filesystem::path& prefix);
  std::size_t samples() const { return samples_; }
  std::size_t variants() const { return variants_; }
  void read(std::size_t variant, std::vector<int>& alt_counts) const;

 private:
  std::string bytes_;
  std::size_t samples_ = 0, variants_ = 0;
};

std::string file_contents(const std::filesystem::path& path);

}  // namespace kohort::test
