#include "core/number_format.h"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>

namespace kohort {
namespace {

std::string fast(double value, int precision) {
  char text[32];
  return std::string(text, format_general(value, precision, text));
}

std::string reference(double value, int precision) {
  char text[32];
  return std::string(text, std::to_chars(text, text + 32, value, std::chars_format::general, precision).ptr);
}

void expect_same(double value, int precision) {
  ASSERT_EQ(fast(value, precision), reference(value, precision)) << "value " << value << " (bits " << std::hexfloat << value
                                                                 << std::defaultfloat << "), precision " << precision;
}

}  // namespace

TEST(FormatGeneral, KnownTexts) {
  EXPECT_EQ(fast(-0.01645273546123, 10), "-0.01645273546");
  EXPECT_EQ(fast(0.96175, 10), "0.96175");
  EXPECT_EQ(fast(20000, 10), "20000");
  EXPECT_EQ(fast(1.5e-7, 10), "1.5e-07");
  EXPECT_EQ(fast(0.0001, 6), "0.0001");
  EXPECT_EQ(fast(123456.7, 6), "123457");
  EXPECT_EQ(fast(1234567.0, 6), "1.23457e+06");
  EXPECT_EQ(fast(9.9999999999, 10), "10");        // rounding carries into a new digit
  EXPECT_EQ(fast(99999.99999999, 10), "100000");
  EXPECT_EQ(fast(9999999999.7, 10), "1e+10");
}

TEST(FormatGeneral, RandomValuesAtEveryMagnitudeEqualToChars) {
  std::mt19937_64 random(20261202);
  std::uniform_int_distribution<int> power(-25, 25);
  std::uniform_real_distribution<double> unit(1.0, 10.0);
  for (int i = 0; i < 400000; ++i) {
    const double value = (random() & 1 ? -1.0 : 1.0) * unit(random) * std::pow(10.0, power(random));
    expect_same(value, 1 + static_cast<int>(random() % 17));
  }
}

TEST(FormatGeneral, RandomBitPatternsEqualToChars) {
  std::mt19937_64 random(7);
  for (int i = 0; i < 200000; ++i) {
    std::uint64_t bits = random();
    double value;
    std::memcpy(&value, &bits, sizeof value);
    expect_same(value, 1 + static_cast<int>(random() % 15));
  }
}

// Values at and next to rounding boundaries: decimal ties (k + 1/2 at the last digit, exact in
// binary for few digits), numbers one ulp either side of them, powers of ten and their neighbours.
TEST(FormatGeneral, RoundingBoundariesEqualToChars) {
  for (int precision = 1; precision <= 15; ++precision) {
    for (int shift = -8; shift <= 8; ++shift) {
      const double scale = std::pow(10.0, shift);
      for (double base : {0.5, 1.5, 2.5, 0.125, 0.375, 9.5, 99.5, 12345.5, 0.25, 1.0, 9.999999999999, 5.0}) {
        const double value = base * scale;
        for (double v : {value, std::nextafter(value, 0.0), std::nextafter(value, 1e300)}) {
          expect_same(v, precision);
          expect_same(-v, precision);
        }
      }
    }
  }
  for (int power = -20; power <= 20; ++power) {
    const double value = std::pow(10.0, power);
    for (double v : {value, std::nextafter(value, 0.0), std::nextafter(value, 1e300), value * 0.99999999995, value * 1.00000000005}) {
      for (int precision = 1; precision <= 15; ++precision) expect_same(v, precision);
    }
  }
}

TEST(FormatGeneral, SpecialValuesEqualToChars) {
  for (double v : {0.0, -0.0, std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
                   std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::denorm_min(),
                   std::numeric_limits<double>::max(), std::numeric_limits<double>::min()}) {
    for (int precision = 1; precision <= 17; ++precision) expect_same(v, precision);
  }
}

}  // namespace kohort
