// Which covariates a set of samples can estimate: the columns R's lm would keep.
#include "assoc/design.h"

#include <gtest/gtest.h>

#include "core/random.h"

namespace kohort::assoc {

TEST(IndependentColumns, LeavesOutConstantsCombinationsAndZerosInOrder) {
  Random random(2, 0, 0);
  const Eigen::Index n = 300;
  Eigen::MatrixXd design(n, 7);
  for (Eigen::Index i = 0; i < n; ++i) {
    const double age = 40 + 20 * random.uniform(), score = random.normal();
    design.row(i) << 1.0, age, 1.0 /* constant: sex among women */, score, 0.0 /* a level never seen */,
        2.0 * age - 3.0 * score + 1.0 /* a combination */, 1950 + 50 * random.uniform();
  }
  EXPECT_EQ(independent_columns(design), (std::vector<Eigen::Index>{0, 1, 3, 6}));
  // The first of two collinear columns is the one kept, whichever it is.
  Eigen::MatrixXd swapped = design;
  swapped.col(1).swap(swapped.col(5));
  EXPECT_EQ(independent_columns(swapped), (std::vector<Eigen::Index>{0, 1, 3, 6}));
  // A column with a part of 1e-6 of its norm outside the others is kept; of 1e-9, it is not.
  Eigen::MatrixXd near(n, 3);
  for (Eigen::Index i = 0; i < n; ++i) near.row(i) << 1.0, design(i, 1), 0.0;
  const Eigen::VectorXd centred = design.col(3).array() - design.col(3).mean();
  near.col(2) = near.col(1) + 1e-6 * near.col(1).norm() / centred.norm() * centred;
  EXPECT_EQ(independent_columns(near).size(), 3u);
  near.col(2) = near.col(1) + 1e-9 * near.col(1).norm() / centred.norm() * centred;
  EXPECT_EQ(independent_columns(near).size(), 2u);
  EXPECT_EQ(select_columns(design, {0, 3}).col(1), design.col(3));
  EXPECT_EQ(left_out_covariates({0, 1, 3, 6}, 7), (std::vector<std::size_t>{1, 3, 4}));
}

}  // namespace kohort::assoc
