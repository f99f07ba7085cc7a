// gather_genotypes: the dense genotypes a model uses, in place when nothing needs changing.
#include "assoc/gather.h"

#include <gtest/gtest.h>

#include <cmath>

namespace kohort::assoc::detail {
namespace {

Eigen::MatrixXd dosage_block() {
  Eigen::MatrixXd dosages(9, 4);
  for (Eigen::Index i = 0; i < dosages.rows(); ++i)
    for (Eigen::Index j = 0; j < dosages.cols(); ++j) dosages(i, j) = static_cast<double>((i * 7 + j * 3) % 3) + 0.25 * static_cast<double>(j);
  return dosages;
}

std::vector<Eigen::Index> every_row(Eigen::Index n) {
  std::vector<Eigen::Index> rows;
  for (Eigen::Index i = 0; i < n; ++i) rows.push_back(i);
  return rows;
}

TEST(GatherGenotypes, EveryRowWithoutMissingCallsIsUsedInPlace) {
  const Eigen::MatrixXd dosages = dosage_block();
  GatheredGenotypes gathered;
  gather_genotypes(dosages, every_row(dosages.rows()), 1, 4, true, gathered);
  EXPECT_TRUE(gathered.in_place);
  EXPECT_EQ(gathered.values.size(), 0);
  const Eigen::Ref<const Eigen::MatrixXd> g = genotype_matrix(gathered, dosages, 1, 4);
  ASSERT_EQ(g.cols(), 3);
  EXPECT_EQ(g, dosages.middleCols(1, 3));
  for (Eigen::Index j = 0; j < 3; ++j) {
    EXPECT_TRUE(gathered.missing[static_cast<std::size_t>(j)].empty());
    EXPECT_NEAR(gathered.means[static_cast<std::size_t>(j)], dosages.col(j + 1).mean(), 1e-15);
    EXPECT_NEAR(gathered.squares[static_cast<std::size_t>(j)], dosages.col(j + 1).squaredNorm(), 1e-14);
  }
}

TEST(GatherGenotypes, MissingCallsAreListedAndFilled) {
  Eigen::MatrixXd dosages = dosage_block();
  dosages(2, 2) = NAN;
  dosages(7, 2) = NAN;
  for (bool mean_fill : {true, false}) {
    GatheredGenotypes gathered;
    gather_genotypes(dosages, every_row(dosages.rows()), 0, 4, mean_fill, gathered);
    EXPECT_FALSE(gathered.in_place);  // one column with missing calls: all are copied
    const Eigen::Ref<const Eigen::MatrixXd> g = genotype_matrix(gathered, dosages, 0, 4);
    EXPECT_EQ(g.col(0), dosages.col(0));
    EXPECT_EQ(gathered.missing[2], (std::vector<Eigen::Index>{2, 7}));
    double observed = 0;
    for (Eigen::Index i = 0; i < 9; ++i)
      if (!std::isnan(dosages(i, 2))) observed += dosages(i, 2);
    const double mean = observed / 7;
    EXPECT_NEAR(gathered.means[2], mean, 1e-15);
    double squares = 0;
    for (Eigen::Index i = 0; i < 9; ++i)
      if (!std::isnan(dosages(i, 2))) squares += dosages(i, 2) * dosages(i, 2);
    EXPECT_NEAR(gathered.squares[2], squares, 1e-14);  // of the calls, not of the filled values
    EXPECT_NEAR(gathered.squares[0], dosages.col(0).squaredNorm(), 1e-14);
    EXPECT_EQ(g(2, 2), mean_fill ? gathered.means[2] : 0.0);
    EXPECT_EQ(g(7, 2), mean_fill ? gathered.means[2] : 0.0);
    EXPECT_EQ(g(3, 2), dosages(3, 2));
  }
}

TEST(GatherGenotypes, ASubsetOfRowsIsCopiedInOrder) {
  Eigen::MatrixXd dosages = dosage_block();
  dosages(4, 1) = NAN;
  const std::vector<Eigen::Index> rows = {0, 3, 4, 8};
  GatheredGenotypes gathered;
  gather_genotypes(dosages, rows, 0, 2, true, gathered);
  EXPECT_FALSE(gathered.in_place);
  ASSERT_EQ(gathered.values.rows(), 4);
  for (std::size_t r = 0; r < rows.size(); ++r) EXPECT_EQ(gathered.values(static_cast<Eigen::Index>(r), 0), dosages(rows[r], 0));
  EXPECT_EQ(gathered.missing[1], (std::vector<Eigen::Index>{2}));  // positions among the gathered rows
  const double mean = (dosages(0, 1) + dosages(3, 1) + dosages(8, 1)) / 3;
  EXPECT_NEAR(gathered.means[1], mean, 1e-15);
  EXPECT_EQ(gathered.values(2, 1), gathered.means[1]);
}

}  // namespace
}  // namespace kohort::assoc::detail
