#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <zlib.h>

#include "core/error.h"
#include "stats/table.h"

using namespace kohort::stats;

TEST(Table, ReadsColumnsAndReportsErrors) {
  const auto dir = std::filesystem::temp_directory_path() / "kohort_stats_table_test";
  std::filesystem::create_directories(dir);
  {
    std::ofstream f(dir / "t.csv");
    f << "id,time,group,x\n1,2.5,b,NA\n2,3,a,1e-3\n3,,a,7\n";
  }
  const Table t = read_table((dir / "t.csv").string(), {{"time", ColumnKind::kNumeric},
                                                         {"group", ColumnKind::kNumericOrFactor},
                                                         {"x", ColumnKind::kNumeric}});
  ASSERT_EQ(t.rows, 3u);
  EXPECT_DOUBLE_EQ(t.column("time").values[0], 2.5);
  EXPECT_TRUE(t.column("time").missing(2));
  EXPECT_TRUE(t.column("group").is_factor);
  EXPECT_EQ(t.column("group").levels[0], "a");
  EXPECT_EQ(t.column("group").codes[0], 1);
  EXPECT_DOUBLE_EQ(t.column("x").values[1], 1e-3);
  try {
    read_table((dir / "t.csv").string(), {{"group", ColumnKind::kNumeric}});
    FAIL() << "expected an InputError";
  } catch (const kohort::InputError& e) {
    EXPECT_EQ(e.line(), 2u);
    EXPECT_NE(std::string(e.what()).find("group"), std::string::npos);
  }
  EXPECT_THROW(read_table((dir / "t.csv").string(), {{"nope", ColumnKind::kNumeric}}), kohort::InputError);
  std::filesystem::remove_all(dir);
}

// The fast decimal path must give exactly what a correctly rounded parser gives.
TEST(Table, NumbersParseExactly) {
  const auto dir = std::filesystem::temp_directory_path() / "kohort_stats_number_test";
  std::filesystem::create_directories(dir);
  const std::vector<std::string> texts{"0.1", "-0.3", "123.456", "1e-3", "2.5E+10", "0.000000000000000000001234",
                                       "123456789012345.6", "9007199254740993", "-0", "+7", "1.7976931348623157e308",
                                       "3.14159265358979323846", "0.30000000000000004", "5.", ".5"};
  {
    std::ofstream f(dir / "n.tsv");
    f << "x\n";
    for (const auto& t : texts) f << t << "\n";
  }
  const Table t = read_table((dir / "n.tsv").string(), {{"x", ColumnKind::kNumeric}});
  ASSERT_EQ(t.rows, texts.size());
  for (std::size_t i = 0; i < texts.size(); ++i) EXPECT_EQ(t.column("x").values[i], std::strtod(texts[i].c_str(), nullptr)) << texts[i];
  std::filesystem::remove_all(dir);
}

// Large gzip file with CRLF endings and blank lines: rows and line numbers stay right across the
// reader's blocks and pieces, and an error deep in the file names its line.
TEST(Table, GzipCrlfBlankLinesAndDeepErrors) {
  const auto dir = std::filesystem::temp_directory_path() / "kohort_stats_gz_test";
  std::filesystem::create_directories(dir);
  const std::string good = (dir / "big.csv.gz").string(), bad = (dir / "bad.csv.gz").string();
  for (const std::string& path : {good, bad}) {
    gzFile f = gzopen(path.c_str(), "wb");
    gzputs(f, "id,value,label\r\n");
    for (int i = 0; i < 300000; ++i) {
      if (i % 1000 == 999) gzputs(f, "\r\n");  // a blank line now and then
      std::string row = std::to_string(i) + "," + std::to_string(i * 0.5) + "," + (i % 3 ? "b" : "a") + "\r\n";
      if (path == bad && i == 250000) row = "x,oops,a\r\n";
      gzputs(f, row.c_str());
    }
    gzclose(f);
  }
  const Table t = read_table(good, {{"value", ColumnKind::kNumeric}, {"label", ColumnKind::kFactor}});
  ASSERT_EQ(t.rows, 300000u);
  EXPECT_DOUBLE_EQ(t.column("value").values[299999], 299999 * 0.5);
  EXPECT_EQ(t.column("label").codes[3], 0);
  EXPECT_EQ(t.line[0], 2u);
  EXPECT_EQ(t.line[299999], 300001u + 300u);  // header + rows + the 300 blank lines before the last row
  try {
    read_table(bad, {{"value", ColumnKind::kNumeric}});
    FAIL() << "expected an InputError";
  } catch (const kohort::InputError& e) {
    EXPECT_EQ(e.line(), 250002u + 250u);
    EXPECT_NE(std::string(e.what()).find("oops"), std::string::npos);
  }
  std::filesystem::remove_all(dir);
}
