// Reading phenotype files: which columns are binary, and how their codings become 0/1.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "assoc/gwas.h"
#include "core/error.h"

namespace kohort::assoc {
namespace {

std::string write_file(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / ("kohort_phenotypes_test_" + std::to_string(getpid()) + "_" + name);
  std::ofstream(path) << text;
  return path.string();
}

// 0/1: controls and cases; 1/2: PLINK's; 0/1/2: PLINK's with 0 missing, as plink2 reads it; four
// values, or 0/1/2 under --pheno-type quantitative: numbers.
TEST(ReadPhenotypes, TellsBinaryCodingsFromNumbers) {
  const std::string path = write_file("codings.tsv",
                                      "FID\tIID\tzero_one\tone_two\tplink\tcounts\n"
                                      "a\ta\t0\t1\t0\t0\n"
                                      "b\tb\t1\t2\t1\t1\n"
                                      "c\tc\t0\t2\t2\t2\n"
                                      "d\td\t1\t-9\t1\t3\n"
                                      "e\te\tNA\t1\t2\t2\n");
  const std::vector<std::string> samples = {"a", "b", "c", "d", "e"};
  const PhenotypeSet set = read_phenotypes(path, {}, samples, TraitType::automatic);
  ASSERT_EQ(set.names.size(), 4u);
  EXPECT_EQ(set.binary, (std::vector<bool>{true, true, true, false}));
  auto column = [&](Eigen::Index p) {
    std::vector<double> out;
    for (Eigen::Index i = 0; i < set.values.rows(); ++i) out.push_back(std::isnan(set.values(i, p)) ? -1 : set.values(i, p));
    return out;
  };
  EXPECT_EQ(column(0), (std::vector<double>{0, 1, 0, 1, -1}));
  EXPECT_EQ(column(1), (std::vector<double>{0, 1, 1, -1, 0}));
  EXPECT_EQ(column(2), (std::vector<double>{-1, 0, 1, 0, 1}));  // 0 is missing
  EXPECT_EQ(column(3), (std::vector<double>{0, 1, 2, 3, 2}));

  const PhenotypeSet numbers = read_phenotypes(path, {"plink"}, samples, TraitType::quantitative);
  EXPECT_FALSE(numbers.binary[0]);
  EXPECT_EQ(numbers.values(0, 0), 0.0);
  EXPECT_EQ(numbers.values(2, 0), 2.0);
  std::filesystem::remove(path);
}

// A phenotype's name is part of its output file's name: named twice, the files would collide;
// with a '/', the file would land in a directory of that name.
TEST(ReadPhenotypes, RejectsNamesThatCannotNameTheirFile) {
  const std::string path = write_file("names.tsv", "FID\tIID\ta/b\tq\nx\tx\t1\t2\ny\ty\t3\t4\n");
  for (const std::vector<std::string>& columns : {std::vector<std::string>{"q", "q"}, std::vector<std::string>{"a/b"}}) {
    try {
      read_phenotypes(path, columns, {"x", "y"}, TraitType::automatic);
      FAIL() << "expected an error for " << columns.back();
    } catch (const InputError& e) {
      EXPECT_EQ(e.file(), path);
    }
  }
  EXPECT_EQ(read_phenotypes(path, {"q"}, {"x", "y"}, TraitType::automatic).values(1, 0), 4.0);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace kohort::assoc
