#include "core/number_format.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace kohort {
namespace {

// Powers of ten that doubles hold exactly (5^22 < 2^53).
constexpr double kPowerOfTen[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
constexpr int kMaxPrecision = 15;  // 10^15 < 2^50: the scaled value's last bit is at most 1/8

char* reference(double value, int precision, char* out) {
  return std::to_chars(out, out + 32, value, std::chars_format::general, precision).ptr;
}

constexpr char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

// The `count` digits of `digits` (below 10^count) into `out`, leading zeros included.
void write_digits(std::uint64_t digits, int count, char* out) {
  for (; count >= 2; count -= 2) {
    std::memcpy(out + count - 2, kDigitPairs + 2 * (digits % 100), 2);
    digits /= 100;
  }
  if (count == 1) out[0] = static_cast<char>('0' + digits);
}

// As write_digits, in two independent halves: the divisions of each form a shorter chain.
void write_all_digits(std::uint64_t digits, int count, char* out) {
  if (count <= 8) return write_digits(digits, count, out);
  write_digits(digits / 100000000, count - 8, out);
  write_digits(digits % 100000000, 8, out + count - 8);
}

// Copies `length` (at most kMaxPrecision) bytes as one fixed-size copy of 16; `text` and `out` have
// room for them.
char* append(char* out, const char* text, int length) {
  std::memcpy(out, text, 16);
  return out + length;
}

}  // namespace

char* format_general(double value, int precision, char* out) {
  if (precision < 1 || precision > kMaxPrecision || !std::isfinite(value) || value == 0) return reference(value, precision, out);
  const double x = std::fabs(value);
  std::uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  const int binary_exponent = static_cast<int>(bits >> 52) - 1023;  // 2^b <= x < 2^(b+1) (subnormals fall back)
  // floor(log10 2^b) (exact for |b| < 1650): floor(log10 x) is this or one more.
  int exponent = (binary_exponent * 78913) >> 18;
  int shift = precision - 1 - exponent;
  if (shift < 1 || shift > 22) return reference(value, precision, out);
  // x * 10^shift exactly, as hi + lo: the power of ten is exact and the rounding error of a
  // product is itself a double. Both candidate exponents are tried without a branch: which one
  // holds is a coin toss that a branch would often mispredict.
  const double bound = kPowerOfTen[precision];
  double hi = x * kPowerOfTen[shift];
  double lo = std::fma(x, kPowerOfTen[shift], -hi);
  const int longer = (hi > bound) | ((hi == bound) & (lo >= 0));  // precision + 1 digits
  exponent += longer;
  shift -= longer;
  hi = x * kPowerOfTen[shift];
  lo = std::fma(x, kPowerOfTen[shift], -hi);
  if (hi < kPowerOfTen[precision - 1]) return reference(value, precision, out);  // not expected
  // Round to nearest. hi's fraction is a multiple of its last bit (at most 1/8), and |lo| is at
  // most half that bit, so lo decides only when hi's fraction is exactly one half; if lo is 0
  // too, the value is a decimal tie, which to_chars resolves. A whole hi with lo < 0 lies just
  // above the exact value, which rounds up to it.
  const double whole = std::floor(hi);
  const double fraction = hi - whole;
  if (fraction == 0.5 && lo == 0) return reference(value, precision, out);
  std::uint64_t digits = static_cast<std::uint64_t>(whole) + ((fraction > 0.5) | ((fraction == 0.5) & (lo > 0)));
  if (static_cast<double>(digits) >= bound) {  // 9.99..5 rounds up to 10.0..
    digits /= 10;
    ++exponent;
  }

  char text[32];  // room for append()'s fixed-size copies
  write_all_digits(digits, precision, text);
  int length = precision;
  while (length > 1 && text[length - 1] == '0') --length;  // %g drops trailing zeros
  *out = '-';
  out += value < 0;  // without a branch: signs of effects are a coin toss
  if (exponent < -4 || exponent >= precision) {
    *out++ = text[0];
    if (length > 1) {
      *out++ = '.';
      out = append(out, text + 1, length - 1);
    }
    *out++ = 'e';
    *out++ = exponent < 0 ? '-' : '+';
    int power = exponent < 0 ? -exponent : exponent;
    if (power < 10) *out++ = '0';
    return std::to_chars(out, out + 8, power).ptr;
  }
  if (exponent >= 0) {
    const int integer_digits = exponent + 1;
    out = append(out, text, integer_digits);
    if (length > integer_digits) {
      *out++ = '.';
      out = append(out, text + integer_digits, length - integer_digits);
    }
    return out;
  }
  std::memcpy(out, "0.000", 5);  // "0." and the -exponent - 1 (0 to 3) zeros before the digits
  out += 1 - exponent;
  return append(out, text, length);
}

}  // namespace kohort
