#pragma once
// A temporary file for what a run gathers but cannot keep in memory (every phenotype's p-values of
// a genome): written and read at offsets from any thread, and unlinked as soon as it is made, so
// nothing is left behind when the run ends or dies.
#include <cstddef>
#include <cstdint>
#include <filesystem>

namespace kohort {

class ScratchFile {
 public:
  // Makes the file in `directory` (the output's own, where there is room for the output).
  explicit ScratchFile(const std::filesystem::path& directory);
  ~ScratchFile();
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;

  // Writes `size` bytes at `offset`; safe from several threads for disjoint ranges.
  void write(std::uint64_t offset, const void* data, std::size_t size) const;
  // Reads `size` bytes at `offset`, all of which must have been written.
  void read(std::uint64_t offset, void* data, std::size_t size) const;
  // The file's first `size` bytes mapped read-only (valid until unmap or the file is destroyed).
  const char* map(std::size_t size) const;
  static void unmap(const char* data, std::size_t size);

 private:
  int fd_ = -1;
  std::filesystem::path directory_;  // for messages
};

}  // namespace kohort
