#include "core/bgzf_writer.h"

#include <gtest/gtest.h>
#include <htslib/bgzf.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace kohort {
namespace fs = std::filesystem;

namespace {

fs::path scratch(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("kohort-bgzf-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}

// Text like a summary statistics file, then random bytes (which do not compress), then text again.
std::string mixed_content(std::size_t lines, std::size_t random_bytes) {
  std::mt19937_64 random(5);
  std::string text;
  for (std::size_t i = 0; i < lines; ++i) text += "1\t" + std::to_string(i) + "\tA\tG\t" + std::to_string(random() % 100000) + "\n";
  for (std::size_t i = 0; i < random_bytes; ++i) text.push_back(static_cast<char>(random() & 0xff));
  for (std::size_t i = 0; i < lines / 2; ++i) text += "2\t" + std::to_string(i) + "\n";
  return text;
}

// Where pieces of varied sizes (1 byte to 100 kB, mostly small) start in `size` bytes.
std::vector<std::size_t> piece_starts(std::size_t size) {
  std::mt19937_64 random(9);
  std::vector<std::size_t> starts;
  for (std::size_t at = 0; at < size;) {
    starts.push_back(at);
    const std::size_t longest = random() % 16 == 0 ? 100000 : 300;
    at += std::min<std::size_t>(size - at, 1 + random() % longest);
  }
  return starts;
}

// Writes `content` in the pieces of piece_starts() and finishes the file; `offsets` gets the
// virtual offset before each piece.
void write_file(const fs::path& path, const std::string& content, int level, std::vector<std::uint64_t>* offsets = nullptr,
                int threads = 1) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  ASSERT_NE(file, nullptr);
  {
    BgzfWriter writer(file, level, path.string(), threads);
    const std::vector<std::size_t> starts = piece_starts(content.size());
    for (std::size_t k = 0; k < starts.size(); ++k) {
      const std::size_t end = k + 1 < starts.size() ? starts[k + 1] : content.size();
      if (offsets) offsets->push_back(writer.virtual_offset());
      writer.write(content.data() + starts[k], end - starts[k]);
    }
    writer.finish();
  }
  ASSERT_EQ(std::fclose(file), 0);
}

std::string read_with_htslib(const fs::path& path) {
  BGZF* in = bgzf_open(path.c_str(), "r");
  EXPECT_NE(in, nullptr);
  if (!in) return {};
  EXPECT_EQ(bgzf_check_EOF(in), 1) << "the end-of-file block";
  std::string out;
  std::vector<char> buffer(1 << 16);
  ssize_t n;
  while ((n = bgzf_read(in, buffer.data(), buffer.size())) > 0) out.append(buffer.data(), static_cast<std::size_t>(n));
  EXPECT_EQ(n, 0) << "a read error";
  bgzf_close(in);
  return out;
}

std::string read_with_zlib(const fs::path& path) {
  gzFile in = gzopen(path.c_str(), "rb");
  EXPECT_NE(in, nullptr);
  std::string out;
  std::vector<char> buffer(1 << 16);
  int n;
  while ((n = gzread(in, buffer.data(), static_cast<unsigned>(buffer.size()))) > 0) out.append(buffer.data(), static_cast<std::size_t>(n));
  EXPECT_EQ(n, 0);
  gzclose(in);
  return out;
}

// The sizes of the file's blocks, read from their BSIZE fields; fails if the chain does not end
// exactly at the end of the file.
std::vector<std::size_t> block_sizes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::size_t> sizes;
  std::size_t at = 0;
  while (at + 18 <= bytes.size()) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(bytes[at + i]); };
    EXPECT_TRUE(byte(0) == 0x1f && byte(1) == 0x8b && byte(3) == 4 && byte(12) == 'B' && byte(13) == 'C') << "block at " << at;
    const std::size_t size = (byte(16) | byte(17) << 8) + 1;
    sizes.push_back(size);
    at += size;
  }
  EXPECT_EQ(at, bytes.size());
  return sizes;
}

}  // namespace

TEST(BgzfWriter, ReadsBackWithHtslibAndZlibAtEveryKindOfLevel) {
  const std::string content = mixed_content(60000, 300000);
  for (int level : {0, 1, 6}) {
    SCOPED_TRACE("level " + std::to_string(level));
    const fs::path path = scratch("round.gz");
    write_file(path, content, level);
    EXPECT_EQ(read_with_htslib(path), content);
    EXPECT_EQ(read_with_zlib(path), content);
    const auto sizes = block_sizes(path);
    ASSERT_FALSE(sizes.empty());
    EXPECT_EQ(sizes.back(), 28u) << "ends with the empty end-of-file block";
    for (std::size_t size : sizes) EXPECT_LE(size, 65536u);
    // The text compresses (a level 0 file stores it): a fraction of its size, not more than it.
    const auto file_size = fs::file_size(path);
    if (level == 0) {
      EXPECT_GT(file_size, content.size());
    } else {
      EXPECT_LT(file_size, content.size() * 3 / 4);
    }
  }
}

TEST(BgzfWriter, IncompressibleDataIsStoredWithinTheBlockLimit) {
  // Random bytes grow when deflated; each block must still fit 64 kB, so it is stored.
  const std::string content = mixed_content(0, 1 << 20);
  for (int level : {1, 9}) {
    const fs::path path = scratch("random.gz");
    write_file(path, content, level);
    EXPECT_EQ(read_with_htslib(path), content);
    for (std::size_t size : block_sizes(path)) EXPECT_LE(size, 65536u);
  }
}

std::string file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(BgzfWriter, SameBytesAtAnyThreadCount) {
  const std::string content = mixed_content(200000, 100000);
  for (int level : {1, 6}) {
    const fs::path one = scratch("one.gz"), three = scratch("three.gz");
    write_file(one, content, level, nullptr, 1);
    write_file(three, content, level, nullptr, 3);
    EXPECT_GT(block_sizes(one).size(), 20u);
    EXPECT_EQ(file_bytes(one), file_bytes(three)) << "level " << level;
    EXPECT_EQ(read_with_htslib(three), content);
  }
}

// A thread compresses the blocks of every file it writes with one compressor: a file's bytes must
// not depend on what that thread compressed before it (thousands of phenotypes' files are written
// by whichever thread is free).
TEST(BgzfWriter, SameBytesWhateverTheThreadCompressedBefore) {
  const std::string first = mixed_content(150000, 0);
  std::string second;
  std::mt19937_64 random(11);
  for (int i = 0; i < 120000; ++i) second += "1\t" + std::to_string(1000 + i) + "\tC\tT\t0." + std::to_string(random() % 1000000) + "\n";
  for (int level : {1, 6}) {
    const fs::path alone = scratch("alone.gz"), after = scratch("after.gz"), before = scratch("before.gz");
    std::thread fresh([&] { write_file(alone, second, level); });  // a thread whose compressor is new
    fresh.join();
    write_file(before, first, level);  // this thread's compressor sees other text first
    write_file(after, second, level);
    EXPECT_EQ(file_bytes(alone), file_bytes(after)) << "level " << level;
  }
}

class BgzfOffsets : public ::testing::TestWithParam<int> {};

TEST_P(BgzfOffsets, VirtualOffsetsAddressTheBytesWritten) {
  const std::string content = mixed_content(40000, 70000);
  const fs::path path = scratch("offsets.gz");
  std::vector<std::uint64_t> offsets;
  write_file(path, content, 1, &offsets, GetParam());
  // Seeking to each recorded offset must read that piece's bytes.
  const std::vector<std::size_t> starts = piece_starts(content.size());
  ASSERT_EQ(starts.size(), offsets.size());
  BGZF* in = bgzf_open(path.c_str(), "r");
  ASSERT_NE(in, nullptr);
  std::size_t checked = 0;
  for (std::size_t k = 0; k < starts.size(); ++k) {
    ASSERT_EQ(bgzf_seek(in, static_cast<std::int64_t>(offsets[k]), SEEK_SET), 0) << "piece " << k;
    char got[16];
    const std::size_t want = std::min<std::size_t>(sizeof got, content.size() - starts[k]);
    ASSERT_EQ(bgzf_read(in, got, want), static_cast<ssize_t>(want));
    EXPECT_EQ(std::string(got, want), content.substr(starts[k], want)) << "piece " << k << " at " << starts[k];
    ++checked;
  }
  bgzf_close(in);
  EXPECT_GT(checked, 100u);
  // Offsets only grow, and stay within a block's 64 kB of uncompressed data.
  for (std::size_t k = 1; k < offsets.size(); ++k) EXPECT_LT(offsets[k - 1], offsets[k]);
  for (std::uint64_t offset : offsets) EXPECT_LT(offset & 0xffff, 0xff00u);
}

INSTANTIATE_TEST_SUITE_P(Threads, BgzfOffsets, ::testing::Values(1, 3));

TEST(BgzfWriter, EmptyFileIsTheEndOfFileBlockAlone) {
  const fs::path path = scratch("empty.gz");
  write_file(path, "", 1);
  EXPECT_EQ(fs::file_size(path), 28u);
  EXPECT_EQ(read_with_htslib(path), "");
}

}  // namespace kohort
