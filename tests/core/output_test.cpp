#include "core/output.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "core/error.h"
#include "core/input.h"
#include "file_md5.h"

namespace kohort {
namespace fs = std::filesystem;

namespace {
struct ScratchDirectory {
  fs::path path = fs::temp_directory_path() / ("kohort-core-test-" + std::to_string(::getpid()));
  ~ScratchDirectory() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

fs::path scratch(const std::string& name) {
  static ScratchDirectory directory;
  fs::create_directories(directory.path);
  return directory.path / name;
}
}  // namespace

TEST(OutputFile, AppearsOnlyOnCommit) {
  fs::path path = scratch("a.tsv");
  fs::remove(path);
  {
    OutputFile out(path);
    out.write("x\ty\n");
    EXPECT_FALSE(fs::exists(path));
    out.commit();
  }
  EXPECT_TRUE(fs::exists(path));
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "x\ty");
}

TEST(OutputFile, AbandonedWriteLeavesNothing) {
  fs::path path = scratch("b.tsv");
  fs::remove(path);
  try {
    OutputFile out(path);
    out.write("partial\n");
    throw std::runtime_error("stop");
  } catch (const std::runtime_error&) {
  }
  EXPECT_FALSE(fs::exists(path));
  for (auto& entry : fs::directory_iterator(path.parent_path())) {
    EXPECT_EQ(entry.path().string().find("b.tsv.tmp"), std::string::npos) << entry.path();
  }
}

TEST(OutputFile, GzipRoundTripThroughLineReader) {
  fs::path path = scratch("c.tsv.gz");
  {
    OutputFile out(path, 2);
    for (int i = 0; i < 100000; ++i) out.write(std::to_string(i) + "\tvalue\n");
    out.commit();
  }
  LineReader reader(path.string());
  std::string line;
  int n = 0;
  while (reader.next(line)) {
    ASSERT_EQ(line, std::to_string(n) + "\tvalue");
    ++n;
  }
  EXPECT_EQ(n, 100000);
  EXPECT_EQ(reader.line_number(), 100000u);
}


// The MD5 kept while writing is the file's: a known answer for "abc", then plain files with a
// write past the buffer and BGZF files of many blocks compressed by 1 and 2 threads.
TEST(OutputFile, Md5KeptWhileWritingIsTheFiles) {
  {
    OutputFile out(scratch("abc.txt"));
    out.keep_md5();
    out.write("abc");
    out.commit();
    EXPECT_EQ(out.md5_hex(), "900150983cd24fb0d6963f7d28e17f72");
  }
  const std::string large(3 << 20, 'x');
  for (const char* name : {"plain.tsv", "one.tsv.gz", "two.tsv.gz"}) {
    fs::path path = scratch(name);
    OutputFile out(path, std::string(name) == "two.tsv.gz" ? 2 : 1, 1);
    out.keep_md5();
    for (int i = 0; i < 200000; ++i) out.write(std::to_string(i * 7919 % 100003) + "\tvalue\n");
    out.write(large);
    out.write("end\n");
    EXPECT_THROW(out.md5_hex(), Error);  // not complete yet
    out.commit();
    EXPECT_EQ(out.md5_hex(), test_support::md5_hex(test_support::file_bytes(path))) << name;
  }
  OutputFile late(scratch("late.tsv"));
  late.write(large);  // past the buffer: on the file already
  EXPECT_THROW(late.keep_md5(), std::logic_error);
}

TEST(OutputDirectory, ReplacesOldDirectoryOnlyOnCommit) {
  fs::path dir = scratch("outdir");
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "old.txt") << "old";
  {
    OutputDirectory out(dir);
    std::ofstream(out.file("new.txt")) << "new";
    EXPECT_TRUE(fs::exists(dir / "old.txt"));
  }
  EXPECT_TRUE(fs::exists(dir / "old.txt"));
  {
    OutputDirectory out(dir);
    std::ofstream(out.file("new.txt")) << "new";
    out.commit();
  }
  EXPECT_FALSE(fs::exists(dir / "old.txt"));
  EXPECT_TRUE(fs::exists(dir / "new.txt"));
}

TEST(Split, TabsAndWhitespace) {
  std::vector<std::string_view> f;
  split("a\t\tb", '\t', f);
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[1], "");
  split_whitespace("  1  rs1\t0 100 A G ", f);
  ASSERT_EQ(f.size(), 6u);
  EXPECT_EQ(f[5], "G");
}

}  // namespace kohort
