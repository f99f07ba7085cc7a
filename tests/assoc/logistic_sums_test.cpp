#include "assoc/logistic_sums.h"

#include <gtest/gtest.h>

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <cmath>

#include "core/random.h"

namespace kohort::assoc::detail {
namespace {

// A design with an intercept and normal columns, rows (the chunk) starting `offset` rows into a
// matrix of `stride` rows, as fits pass their chunks.
Eigen::MatrixXd make_design(Random& random, Eigen::Index stride, Eigen::Index columns) {
  Eigen::MatrixXd x(stride, columns);
  for (Eigen::Index i = 0; i < stride; ++i) {
    x(i, 0) = 1.0;
    for (Eigen::Index a = 1; a < columns; ++a) x(i, a) = random.normal();
  }
  return x;
}

double relative(double a, double b) { return std::fabs(a - b) / std::max(1.0, std::fabs(b)); }

}  // namespace

// Every width the fixed kernels cover and wider ones (the general path), row counts that end
// inside a group of four, and a chunk that starts inside the matrix: against Eigen's sums.
TEST(LogisticSums, EqualDirectSums) {
  Random random(11, 0, 0);
  for (Eigen::Index columns : {1, 2, 3, 7, 8, 9, 15, 16, 17, 23}) {
    for (Eigen::Index rows : {1, 3, 4, 37, 256}) {
      const Eigen::Index offset = 5, stride = rows + 11;
      const Eigen::MatrixXd x = make_design(random, stride, columns);
      const auto chunk = x.middleRows(offset, rows);
      Eigen::VectorXd weight(rows), v(rows);
      for (Eigen::Index i = 0; i < rows; ++i) {
        weight(i) = random.uniform() * 0.25;
        v(i) = random.normal();
      }
      const double* base = x.data() + offset;
      const auto size = static_cast<std::size_t>(columns);

      // X'WX, lower triangle only; the upper one is left as it was (here 7).
      Eigen::MatrixXd lower = Eigen::MatrixXd::Constant(columns, columns, 7.0);
      lower.triangularView<Eigen::Lower>().setZero();
      add_weighted_cross_products(base, static_cast<std::size_t>(stride), size, weight.data(), static_cast<std::size_t>(rows), lower.data());
      const Eigen::MatrixXd expected = chunk.transpose() * weight.asDiagonal() * chunk;
      for (Eigen::Index a = 0; a < columns; ++a) {
        for (Eigen::Index b = 0; b < columns; ++b) {
          if (b >= a) {
            EXPECT_LT(relative(lower(b, a), expected(b, a)), 1e-13) << columns << " columns, " << rows << " rows, (" << b << ", " << a << ")";
          } else {
            EXPECT_EQ(lower(b, a), 7.0) << "upper triangle written at (" << b << ", " << a << ")";
          }
        }
      }

      // |L^-1 x_i|^2 with L the Cholesky factor of a well-conditioned X'WX (plus the identity).
      const Eigen::MatrixXd information = expected + Eigen::MatrixXd::Identity(columns, columns);
      const Eigen::MatrixXd l = information.llt().matrixL();
      const Eigen::VectorXd inverse_diagonal = l.diagonal().cwiseInverse();
      Eigen::VectorXd quadratic(rows);
      leverage_quadratic(base, static_cast<std::size_t>(stride), size, l.data(), inverse_diagonal.data(), static_cast<std::size_t>(rows),
                         quadratic.data());
      const Eigen::MatrixXd z = l.triangularView<Eigen::Lower>().solve(chunk.transpose());
      for (Eigen::Index i = 0; i < rows; ++i)
        EXPECT_LT(relative(quadratic(i), z.col(i).squaredNorm()), 1e-12) << columns << " columns, row " << i;

      // X'v, added to what the total held.
      Eigen::VectorXd total = Eigen::VectorXd::Constant(columns, 2.0);
      add_cross_products(base, static_cast<std::size_t>(stride), size, v.data(), static_cast<std::size_t>(rows), total.data());
      const Eigen::VectorXd expected_total = (chunk.transpose() * v).array() + 2.0;
      for (Eigen::Index a = 0; a < columns; ++a) EXPECT_LT(relative(total(a), expected_total(a)), 1e-13) << columns << " columns, " << a;
    }
  }
}

}  // namespace kohort::assoc::detail
