#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/random.h"
#include "stats/radix_sort.h"

using namespace kohort::stats;

namespace {

// Values with many ties, both signs, zeros of both signs and infinities.
std::vector<double> awkward_values(std::size_t n) {
  kohort::Random random(3, 4);
  std::vector<double> v(n);
  for (auto& x : v) {
    double u = random.uniform();
    x = u < 0.3 ? std::floor(random.uniform() * 50) : (random.uniform() - 0.5) * 1e6;
  }
  v[0] = -0.0;
  v[1] = 0.0;
  v[2] = INFINITY;
  v[3] = -INFINITY;
  v[4] = 1e-310;  // subnormal
  return v;
}

}  // namespace

TEST(RadixSort, SortsLikeStdSort) {
  std::vector<double> v = awkward_values(100000), expected = v;
  std::sort(expected.begin(), expected.end());
  radix_sort(v);
  ASSERT_EQ(v.size(), expected.size());
  for (std::size_t i = 0; i < v.size(); ++i) EXPECT_EQ(v[i], expected[i]) << i;
}

TEST(RadixSort, DescendingOrderIsStable) {
  std::vector<double> v = awkward_values(100000);
  std::vector<std::size_t> expected(v.size());
  std::iota(expected.begin(), expected.end(), 0);
  std::stable_sort(expected.begin(), expected.end(), [&](std::size_t a, std::size_t b) { return v[a] > v[b]; });
  EXPECT_EQ(descending_order(v), expected);
}
