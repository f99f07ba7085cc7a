#include "assoc/missing_projection.h"

#include <gtest/gtest.h>

#include <Eigen/Cholesky>
#include <cmath>
#include <vector>

#include "core/random.h"

namespace kohort::assoc::detail {
namespace {

// Rows of [q residuals]: k basis values, then the phenotypes, zeros to the stride.
std::vector<std::vector<double>> random_rows(Random& random, std::size_t count, std::size_t used, std::size_t stride) {
  std::vector<std::vector<double>> rows(count, std::vector<double>(stride, 0.0));
  for (auto& row : rows)
    for (std::size_t j = 0; j < used; ++j) row[j] = 0.1 * random.normal();
  return rows;
}

TEST(MissingProjection, CrossProductsAreTheRowsSums) {
  Random random(3, 0);
  const std::size_t k = 3, phenotypes = 7, stride = 16;
  const auto rows = random_rows(random, 37, k + phenotypes, stride);
  std::vector<const double*> pointers;
  for (auto& row : rows) pointers.push_back(row.data());
  std::vector<double> cross(k * stride), squares(stride);
  missing_cross_products(pointers.data(), pointers.size(), k, stride, cross.data(), squares.data());
  for (std::size_t j = 0; j < stride; ++j) {
    long double square = 0;
    for (auto& row : rows) square += static_cast<long double>(row[j]) * row[j];
    EXPECT_NEAR(squares[j], static_cast<double>(square), 1e-15) << j;
    for (std::size_t c = 0; c < k; ++c) {
      long double sum = 0;
      for (auto& row : rows) sum += static_cast<long double>(row[c]) * row[j];
      EXPECT_NEAR(cross[c * stride + j], static_cast<double>(sum), 1e-15) << c << " " << j;
    }
  }
  for (std::size_t j = k + phenotypes; j < stride; ++j) EXPECT_EQ(squares[j], 0.0);  // the padding stays zero
}

TEST(MissingProjection, LanesSolveAgainstTheFactorAndDoNotDependOnEachOther) {
  Random random(5, 0);
  const std::size_t k = 4, width = 9, step = 12;
  Eigen::MatrixXd m = Eigen::MatrixXd::Random(k, k);
  const Eigen::MatrixXd a = m * m.transpose() + Eigen::MatrixXd::Identity(k, k);
  const Eigen::LLT<Eigen::MatrixXd> factor(a);
  const Eigen::MatrixXd l = factor.matrixL();
  const Eigen::VectorXd inverse_diagonal = l.diagonal().cwiseInverse();
  std::vector<double> b(k * step), g(k);
  for (auto& x : b) x = random.normal();
  for (auto& x : g) x = random.normal();
  std::vector<double> out_g(width), out_b(width), scratch(k * width);
  solve_lanes(l.data(), inverse_diagonal.data(), k, b.data(), step, width, g.data(), out_g.data(), out_b.data(), scratch.data());
  const Eigen::Map<const Eigen::VectorXd> gv(g.data(), static_cast<Eigen::Index>(k));
  for (std::size_t j = 0; j < width; ++j) {
    Eigen::VectorXd bj(k);
    for (std::size_t c = 0; c < k; ++c) bj(static_cast<Eigen::Index>(c)) = b[c * step + j];
    const Eigen::VectorXd x = factor.solve(bj);
    EXPECT_NEAR(out_g[j], gv.dot(x), 1e-12 * (1 + std::fabs(gv.dot(x)))) << j;
    EXPECT_NEAR(out_b[j], bj.dot(x), 1e-12 * (1 + bj.dot(x))) << j;
    // The lane alone gives the same bits.
    double alone_g = 0, alone_b = 0;
    std::vector<double> alone_scratch(k);
    solve_lanes(l.data(), inverse_diagonal.data(), k, b.data() + j, step, 1, g.data(), &alone_g, &alone_b, alone_scratch.data());
    EXPECT_EQ(alone_g, out_g[j]) << j;
    EXPECT_EQ(alone_b, out_b[j]) << j;
  }
}

}  // namespace
}  // namespace kohort::assoc::detail
