// Phenotype and covariate tables: id layouts, missing-value spellings, lookups of many columns,
// and errors that name the file and line.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "assoc/sample_table.h"
#include "core/error.h"

namespace kohort::assoc {
namespace {

std::string write_file(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / ("kohort_sample_table_" + std::to_string(::getpid()) + "_" + name);
  std::ofstream(path) << text;
  return path.string();
}

}  // namespace

TEST(SampleTable, ReadsPlinkLayoutWithMissingSpellingsAndAbsentSamples) {
  const std::string path = write_file("plink.txt",
                                      "FID IID y z\n"
                                      "f1 a 1.5 NA\n"
                                      "f2 b . 2\n"
                                      "f3 c nan +3e2\n"
                                      "f4 d NaN na\n");
  SampleTable table(path);
  ASSERT_EQ(table.columns(), (std::vector<std::string>{"y", "z"}));
  const std::vector<std::string> ids = {"d", "x", "a", "c"};  // x is not in the file
  const std::vector<std::int64_t> rows = table.rows(ids);
  EXPECT_EQ(rows, (std::vector<std::int64_t>{3, -1, 0, 2}));
  Eigen::VectorXd y = table.numeric(table.column_index("y"), rows), z = table.numeric(table.column_index("z"), ids);
  EXPECT_TRUE(std::isnan(y(0)));
  EXPECT_TRUE(std::isnan(y(1)));
  EXPECT_EQ(y(2), 1.5);
  EXPECT_TRUE(std::isnan(y(3)));
  EXPECT_TRUE(std::isnan(z(0)));
  EXPECT_TRUE(std::isnan(z(2)));
  EXPECT_EQ(z(3), 300.0);
  EXPECT_TRUE(table.is_numeric(0));
  for (const char* missing : {"", ".", "NA", "na", "nan", "NaN"}) EXPECT_TRUE(is_missing_value(missing)) << missing;
  for (const char* present : {"0", "-9", "N", "NAN", "nana", "1.0"}) EXPECT_FALSE(is_missing_value(present)) << present;
  std::filesystem::remove(path);
}

TEST(SampleTable, ErrorsNameFileAndLine) {
  const std::string bad_value = write_file("bad.tsv", "person_id\ty\np1\t1\np2\tabc\n");
  SampleTable table(bad_value);
  EXPECT_FALSE(table.is_numeric(0));
  try {
    table.numeric(0, std::vector<std::string>{"p1", "p2"});
    FAIL() << "expected an error for 'abc'";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), bad_value);
    EXPECT_EQ(e.line(), 3u);
    EXPECT_NE(std::string(e.what()).find("'abc' is not a number"), std::string::npos) << e.what();
  }
  const std::string twice = write_file("twice.tsv", "person_id\ty\np1\t1\np1\t2\n");
  try {
    SampleTable duplicate(twice);
    FAIL() << "expected an error for the repeated sample";
  } catch (const InputError& e) {
    EXPECT_EQ(e.line(), 3u);
    EXPECT_NE(std::string(e.what()).find("appears twice"), std::string::npos) << e.what();
  }
  const std::string short_row = write_file("short.tsv", "person_id\ty\tz\np1\t1\n");
  EXPECT_THROW(SampleTable{short_row}, InputError);
  EXPECT_THROW(table.column_index("w"), InputError);
  // Two columns of one name: which one a name selects would be a guess (and two output files
  // would share a name).
  const std::string same_name = write_file("same_name.tsv", "FID\tIID\ty\ty\np1\tp1\t1\t2\n");
  try {
    SampleTable duplicate(same_name);
    FAIL() << "expected an error for the repeated column";
  } catch (const InputError& e) {
    EXPECT_EQ(e.line(), 1u);
    EXPECT_NE(std::string(e.what()).find("column 'y' appears twice"), std::string::npos) << e.what();
  }
  std::vector<std::string> names;
  EXPECT_THROW(covariate_matrix(table, {"y", "y"}, {"p1"}, names), InputError);
  // A covariate that is twice another, on every sample: an error naming the file and the covariate.
  const std::string collinear = write_file("collinear.tsv", "id\ta\tb\np1\t1\t2\np2\t2\t4\np3\t5\t10\n");
  try {
    covariate_matrix(SampleTable(collinear), {"a", "b"}, {"p1", "p2", "p3"}, names);
    FAIL() << "expected an error for collinear covariates";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), collinear);
    EXPECT_NE(std::string(e.what()).find("collinear: 'b'"), std::string::npos) << e.what();
  }
  EXPECT_EQ(covariate_matrix(SampleTable(collinear), {"a"}, {"p1", "p2", "p3"}, names).col(0)(2), 5.0);
  std::filesystem::remove(collinear);
  for (const auto& p : {bad_value, twice, short_row, same_name}) std::filesystem::remove(p);
}

}  // namespace kohort::assoc

namespace kohort::assoc {

TEST(SampleTable, SelectsColumnsByNameAndByRangeInFileOrder) {
  const std::string path = write_file("ranges.txt",
                                      "FID IID p1 p2 p3 T2D-early p10 age sex\n"
                                      "f1 a 1 2 3 4 5 6 7\n");
  SampleTable table(path);
  using Names = std::vector<std::string>;
  EXPECT_EQ(table.select_columns({}, "--pheno-col"), table.columns());
  EXPECT_EQ(table.select_columns({"p2"}, "--pheno-col"), (Names{"p2"}));
  // A range runs in the header's order, whatever the names' numbers say (p10 is after T2D-early).
  EXPECT_EQ(table.select_columns({"p2-p10", "sex"}, "--pheno-col"), (Names{"p2", "p3", "T2D-early", "p10", "sex"}));
  EXPECT_EQ(table.select_columns({"p3-p3"}, "--pheno-col"), (Names{"p3"}));
  // A name with a dash that is a column is the column; as a range's end it still splits right.
  EXPECT_EQ(table.select_columns({"T2D-early"}, "--pheno-col"), (Names{"T2D-early"}));
  EXPECT_EQ(table.select_columns({"p3-T2D-early"}, "--pheno-col"), (Names{"p3", "T2D-early"}));
}

TEST(SampleTable, RejectsRangesThatAreNotTwoColumnsInOrder) {
  const std::string path = write_file("bad_ranges.txt",
                                      "IID a b a-b c b-c\n"
                                      "x 1 2 3 4 5\n");
  SampleTable table(path);
  auto message = [&](const std::string& item) {
    try {
      table.select_columns({item}, "--covar-col");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message("c-a").find("--covar-col: in 'c-a', c comes after a in the header"), std::string::npos) << message("c-a");
  EXPECT_NE(message("a-x").find("'a-x' is neither a column nor a range FIRST-LAST of two columns"), std::string::npos) << message("a-x");
  EXPECT_NE(message("a-x").find("bad_ranges.txt"), std::string::npos);
  // a-b-c: a to b-c, or a-b to c.
  EXPECT_NE(message("a-b-c").find("at more than one dash"), std::string::npos) << message("a-b-c");
  EXPECT_EQ(table.select_columns({"a-b"}, "--covar-col"), (std::vector<std::string>{"a-b"}));
}

}  // namespace kohort::assoc
