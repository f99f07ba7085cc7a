// The simulate command as a user meets it: reproducible at any thread count, clean errors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include <fmt/format.h>

#include "simulate_fixture.h"

namespace kohort::test {
namespace fs = std::filesystem;

TEST(SimulateCommand, ByteIdenticalAtOneAndTwoThreads) {
  fs::path base = fs::temp_directory_path() / fmt::format("kohort-determinism-{}", getpid());
  fs::remove_all(base);
  fs::create_directories(base);
  std::string common = "simulate --persons 3000 --variants 3000 --genotyped 1000 --gzip";
  ASSERT_EQ(run_kohort(fmt::format("--quiet --threads 1 {} --seed 5 --out {}/one > /dev/null", common, base.string())), 0);
  ASSERT_EQ(run_kohort(fmt::format("--quiet --threads 2 {} --seed 5 --out {}/two > /dev/null", common, base.string())), 0);
  std::size_t compared = 0;
  for (auto& entry : fs::directory_iterator(base / "one")) {
    auto name = entry.path().filename();
    ASSERT_TRUE(fs::exists(base / "two" / name)) << name;
    EXPECT_EQ(file_contents(entry.path()), file_contents(base / "two" / name)) << name << " differs";
    ++compared;
  }
  EXPECT_EQ(compared, 11u);
  // A different seed gives a different population.
  ASSERT_EQ(run_kohort(fmt::format("--quiet {} --seed 6 --out {}/other > /dev/null", common, base.string())), 0);
  EXPECT_NE(file_contents(base / "one" / "persons.tsv"), file_contents(base / "other" / "persons.tsv"));
  fs::remove_all(base);
}

TEST(SimulateCommand, BadInputExitsWithTwoAndWritesNothing) {
  fs::path base = fs::temp_directory_path() / fmt::format("kohort-bad-{}", getpid());
  fs::remove_all(base);
  fs::create_directories(base);
  std::string log = (base / "stderr.txt").string();
  EXPECT_EQ(run_kohort(fmt::format("simulate --persons 100 --genotyped 500 --out {}/x 2> {}", base.string(), log)), 2);
  EXPECT_NE(file_contents(log).find("kohort: error: --genotyped 500 is larger than --persons 100"), std::string::npos)
      << file_contents(log);
  EXPECT_FALSE(fs::exists(base / "x"));
  EXPECT_EQ(run_kohort(fmt::format("simulate --persons 100 --coverage-start 2008-13-01 --out {}/y 2> {}", base.string(), log)), 2);
  EXPECT_NE(file_contents(log).find("--coverage-start '2008-13-01' is not a date"), std::string::npos);
  EXPECT_EQ(run_kohort(fmt::format("simulate --persons 100 --out {}/missing/dir/z 2> {}", base.string(), log)), 2);
  EXPECT_NE(file_contents(log).find("does not exist"), std::string::npos);
  EXPECT_EQ(run_kohort(fmt::format("simulate --persons 100 2> {}", log)), 2);
  EXPECT_NE(file_contents(log).find("--out is required"), std::string::npos) << file_contents(log);
  // Only the error log is left behind: no partial output directories or temporary files.
  std::size_t entries = 0;
  for (auto& entry : fs::directory_iterator(base)) entries += entry.path().filename() != "stderr.txt";
  EXPECT_EQ(entries, 0u);
  fs::remove_all(base);
}

TEST(SimulateCommand, HelpExplainsEveryOptionWithAnExample) {
  fs::path out = fs::temp_directory_path() / fmt::format("kohort-help-{}.txt", getpid());
  ASSERT_EQ(run_kohort(fmt::format("simulate --help > {}", out.string())), 0);
  std::string help = file_contents(out);
  for (const char* option : {"--persons", "--genotyped", "--genotyped-fraction", "--variants", "--missing-rate", "--seed",
                             "--coverage-start", "--coverage-end", "--gzip", "--out", "Example:"}) {
    EXPECT_NE(help.find(option), std::string::npos) << option;
  }
  fs::remove(out);
}

}  // namespace kohort::test
