#include "assoc/dense_sums.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "core/random.h"

namespace kohort::assoc::detail {
namespace {

struct Inputs {
  std::vector<std::vector<double>> columns;  // dosages, NaN missing
  std::vector<std::ptrdiff_t> rows;          // the set, as rows of the columns
  std::vector<double> vectors;               // rows.size() x stride, row-major
};

// `count` columns of `file_rows` dosages in [0, 2] with about 2% missing, the set every third row
// left out (or all rows), and `vectors` vectors padded to `stride`.
Inputs make_inputs(Random& random, std::size_t count, std::size_t file_rows, bool subset, std::size_t vectors, std::size_t stride) {
  Inputs in;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (std::size_t j = 0; j < count; ++j) {
    std::vector<double> column(file_rows);
    for (auto& x : column) x = random.uniform() < 0.02 ? nan : 2.0 * random.uniform();
    in.columns.push_back(column);
  }
  for (std::size_t r = 0; r < file_rows; ++r)
    if (!subset || r % 3 != 1) in.rows.push_back(static_cast<std::ptrdiff_t>(r));
  in.vectors.assign(in.rows.size() * stride, 0.0);
  for (std::size_t r = 0; r < in.rows.size(); ++r)
    for (std::size_t v = 0; v < vectors; ++v) in.vectors[r * stride + v] = random.normal();
  return in;
}

DenseSums run(const Inputs& in, std::size_t stride, bool subset) {
  std::vector<const double*> columns;
  for (auto& c : in.columns) columns.push_back(c.data());
  DenseSums out;
  dense_sums(columns.data(), columns.size(), subset ? in.rows.data() : nullptr, in.rows.size(), in.vectors.data(), stride, out);
  return out;
}

}  // namespace

// Against sums over the decoded values: every group size remainder, sets that end inside a block
// of samples and inside a group of 4, all rows and a subset of them.
TEST(DenseSums, EqualDirectSumsWithMissingValuesAsZero) {
  Random random(5, 0, 0);
  for (bool subset : {false, true}) {
    for (std::size_t count : {1, 7, 8, 19}) {
      const std::size_t file_rows = 389, vectors = 11, stride = 16;
      const Inputs in = make_inputs(random, count, file_rows, subset, vectors, stride);
      const DenseSums out = run(in, stride, subset);
      ASSERT_EQ(out.products.size(), count * stride);
      for (std::size_t j = 0; j < count; ++j) {
        double sum = 0, square = 0;
        std::vector<std::uint32_t> missing;
        std::vector<double> products(stride, 0.0);
        for (std::size_t r = 0; r < in.rows.size(); ++r) {
          const double x = in.columns[j][static_cast<std::size_t>(in.rows[r])];
          if (std::isnan(x)) {
            missing.push_back(static_cast<std::uint32_t>(r));
            continue;
          }
          sum += x;
          square += x * x;
          for (std::size_t v = 0; v < stride; ++v) products[v] += x * in.vectors[r * stride + v];
        }
        EXPECT_EQ(out.missing[j], missing);
        EXPECT_NEAR(out.sums[j], sum, 1e-11 * std::fabs(sum));
        EXPECT_NEAR(out.squares[j], square, 1e-11 * square);
        for (std::size_t v = 0; v < stride; ++v) EXPECT_NEAR(out.products[j * stride + v], products[v], 1e-11 * (1 + std::fabs(products[v])));
        for (std::size_t v = vectors; v < stride; ++v) EXPECT_EQ(out.products[j * stride + v], 0.0);
      }
    }
  }
}

// A vector's products are the same bits whatever the other vectors beside it (the stride), and a
// variant's whatever the variants beside it (the group it is summed in).
TEST(DenseSums, SumsDoNotDependOnOtherVectorsOrVariants) {
  Random random(7, 0, 0);
  const std::size_t file_rows = 300, count = 9;
  const Inputs wide = make_inputs(random, count, file_rows, false, 24, 24);
  Inputs narrow = wide;
  narrow.vectors.assign(wide.rows.size() * 8, 0.0);
  for (std::size_t r = 0; r < wide.rows.size(); ++r)
    for (std::size_t v = 0; v < 8; ++v) narrow.vectors[r * 8 + v] = wide.vectors[r * 24 + v];
  const DenseSums a = run(wide, 24, false), b = run(narrow, 8, false);
  Inputs last = narrow;
  last.columns.erase(last.columns.begin(), last.columns.end() - 1);  // the 9th variant alone
  const DenseSums c = run(last, 8, false);
  for (std::size_t j = 0; j < count; ++j)
    EXPECT_EQ(std::memcmp(&a.products[j * 24], &b.products[j * 8], 8 * sizeof(double)), 0) << "variant " << j;
  EXPECT_EQ(std::memcmp(&b.products[8 * 8], &c.products[0], 8 * sizeof(double)), 0);
  EXPECT_EQ(b.sums[8], c.sums[0]);
  EXPECT_EQ(b.squares[8], c.squares[0]);
}

}  // namespace kohort::assoc::detail
