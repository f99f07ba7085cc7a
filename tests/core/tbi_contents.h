#pragma once
// Test support: the content of a tabix (.tbi) index, read into a form that compares equal for
// equal indexes whatever order their bins are listed in.
#include <gtest/gtest.h>
#include <htslib/bgzf.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"

namespace kohort::test_support {

inline std::string inflate_bgzf(const std::filesystem::path& path) {
  BGZF* file = bgzf_open(path.c_str(), "r");
  if (!file) return {};
  std::string out;
  char buffer[1 << 16];
  ssize_t n;
  while ((n = bgzf_read(file, buffer, sizeof buffer)) > 0) out.append(buffer, static_cast<std::size_t>(n));
  bgzf_close(file);
  return out;
}

// A TBI index's content with each sequence's bins in bin order: the order in which an index lists
// its bins is that of htslib's hash table, which readers do not depend on.
struct TbiContents {
  std::string header;  // magic, sequence count, columns and names
  std::vector<std::map<std::uint32_t, std::vector<std::pair<std::uint64_t, std::uint64_t>>>> bins;
  std::vector<std::vector<std::uint64_t>> linear;
  std::uint64_t unplaced = 0;
  bool operator==(const TbiContents&) const = default;
};

inline TbiContents parse_tbi(const std::string& bytes) {
  std::size_t at = 0;
  auto take = [&](auto& value) {
    if (at + sizeof value > bytes.size()) throw Error("truncated index");
    std::memcpy(&value, bytes.data() + at, sizeof value);
    at += sizeof value;
  };
  TbiContents index;
  std::int32_t n_ref = 0, conf[7];
  at = 4;
  take(n_ref);
  for (auto& c : conf) take(c);
  at += static_cast<std::size_t>(conf[6]);
  index.header = bytes.substr(0, at);
  for (std::int32_t r = 0; r < n_ref; ++r) {
    std::int32_t n_bin = 0;
    take(n_bin);
    auto& bins = index.bins.emplace_back();
    for (std::int32_t b = 0; b < n_bin; ++b) {
      std::uint32_t bin = 0;
      std::int32_t n_chunk = 0;
      take(bin);
      take(n_chunk);
      auto& chunks = bins[bin];
      EXPECT_TRUE(chunks.empty()) << "bin " << bin << " listed twice";
      for (std::int32_t c = 0; c < n_chunk; ++c) {
        std::uint64_t u = 0, v = 0;
        take(u);
        take(v);
        chunks.emplace_back(u, v);
      }
    }
    std::int32_t n_intv = 0;
    take(n_intv);
    auto& linear = index.linear.emplace_back(static_cast<std::size_t>(n_intv));
    for (auto& offset : linear) take(offset);
  }
  take(index.unplaced);
  EXPECT_EQ(at, bytes.size());
  return index;
}

}  // namespace kohort::test_support
