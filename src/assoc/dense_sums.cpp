#include "assoc/dense_sums.h"

#include <algorithm>
#include <cstring>

namespace kohort::assoc::detail {
namespace {

typedef double Vector4 __attribute__((vector_size(32)));
#if defined(__AVX512F__)
typedef double Vector8 __attribute__((vector_size(64)));
constexpr std::size_t kGroup = 8;  // variants sharing each vector load: 8 sums of 8 doubles in 32 registers
#else
struct Vector8 {  // two AVX2 registers
  Vector4 low, high;
  Vector8& operator+=(const Vector8& o) {
    low += o.low;
    high += o.high;
    return *this;
  }
};
inline Vector8 operator*(double x, const Vector8& v) { return {x * v.low, x * v.high}; }
constexpr std::size_t kGroup = 4;  // 8 sums of 4 doubles in 16 registers
#endif

inline Vector4 load4(const double* p) {
  Vector4 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

#if defined(__AVX512F__)
inline Vector8 load8(const double* p) {
  Vector8 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline void add_to(double* p, const Vector8& x) {
  Vector8 total = load8(p);
  total += x;
  std::memcpy(p, &total, sizeof total);
}
#else
// Register by register: a memcpy of the whole pair went through the stack in 16-byte pieces, and
// the 32-byte loads of them that followed could not take the stored values directly (most of a
// BGEN run's products were that stall).
inline Vector8 load8(const double* p) { return {load4(p), load4(p + 4)}; }

inline void add_to(double* p, const Vector8& x) {
  const Vector4 low = load4(p) + x.low, high = load4(p + 4) + x.high;
  std::memcpy(p, &low, sizeof low);
  std::memcpy(p + 4, &high, sizeof high);
}
#endif

// Copies a variant's values of rows [first, last) of the set into `clean` with missing values as 0,
// adds them and their squares to four running partial sums each (4 lanes, so that the additions
// do not wait on each other; `first` is a multiple of 4), and lists the missing ones.
void clean_block(const double* column, const std::ptrdiff_t* rows, std::size_t first, std::size_t last, double* clean, Vector4& sum_out,
                 Vector4& square_out, std::vector<std::uint32_t>& missing) {
  // Local sums, in registers: through the references, each addition waited on the last one's store.
  Vector4 sum = sum_out, square = square_out;
  std::size_t r = first;
  for (; r + 4 <= last; r += 4) {
    Vector4 x;
    if (rows) {
      x = Vector4{column[rows[r]], column[rows[r + 1]], column[rows[r + 2]], column[rows[r + 3]]};
    } else {
      std::memcpy(&x, column + r, sizeof x);
    }
    const auto is_missing = x != x;  // NaN: all bits set in its lane
    if (is_missing[0] | is_missing[1] | is_missing[2] | is_missing[3]) [[unlikely]] {
      for (std::size_t k = 0; k < 4; ++k)
        if (is_missing[k]) missing.push_back(static_cast<std::uint32_t>(r + k));
      x = is_missing ? Vector4{} : x;
    }
    std::memcpy(clean + (r - first), &x, sizeof x);
    sum += x;
    square += x * x;
  }
  for (; r < last; ++r) {  // the set's last few samples, in lane r % 4
    double x = column[rows ? rows[r] : static_cast<std::ptrdiff_t>(r)];
    if (x != x) {
      missing.push_back(static_cast<std::uint32_t>(r));
      x = 0.0;
    }
    clean[r - first] = x;
    sum[r % 4] += x;
    square[r % 4] += x * x;
  }
  sum_out = sum;
  square_out = square;
}

template <std::size_t Variants>
void products_of_group(const double* const* columns, const std::ptrdiff_t* rows, std::size_t n, const double* vectors, std::size_t stride,
                       double* const* out, Vector4* sum, Vector4* square, std::vector<std::uint32_t>** missing) {
  alignas(64) double clean[Variants][kDenseBlockRows];
  for (std::size_t first = 0; first < n; first += kDenseBlockRows) {
    const std::size_t last = std::min(n, first + kDenseBlockRows);
    for (std::size_t j = 0; j < Variants; ++j) clean_block(columns[j], rows, first, last, clean[j], sum[j], square[j], *missing[j]);
    for (std::size_t slice = 0; slice < stride; slice += 8) {
      Vector8 acc[Variants];
      for (auto& a : acc) a = Vector8{};
      for (std::size_t r = first; r < last; ++r) {
        const Vector8 v = load8(vectors + r * stride + slice);
        for (std::size_t j = 0; j < Variants; ++j) acc[j] += clean[j][r - first] * v;
      }
      for (std::size_t j = 0; j < Variants; ++j) add_to(out[j] + slice, acc[j]);
    }
  }
}

template <std::size_t Variants>
void sums_of_group(const double* const* columns, std::size_t j, const std::ptrdiff_t* rows, std::size_t n, const double* vectors,
                   std::size_t stride, DenseSums& out) {
  double* results[Variants];
  std::vector<std::uint32_t>* missing[Variants];
  Vector4 sums[Variants] = {}, squares[Variants] = {};
  for (std::size_t g = 0; g < Variants; ++g) {
    results[g] = out.products.data() + (j + g) * stride;
    missing[g] = &out.missing[j + g];
  }
  products_of_group<Variants>(columns + j, rows, n, vectors, stride, results, sums, squares, missing);
  for (std::size_t g = 0; g < Variants; ++g) {
    out.sums[j + g] = (sums[g][0] + sums[g][1]) + (sums[g][2] + sums[g][3]);
    out.squares[j + g] = (squares[g][0] + squares[g][1]) + (squares[g][2] + squares[g][3]);
  }
}

}  // namespace

void dense_sums(const double* const* columns, std::size_t count, const std::ptrdiff_t* rows, std::size_t n, const double* vectors,
                std::size_t stride, DenseSums& out) {
  out.products.assign(count * stride, 0.0);
  out.sums.assign(count, 0.0);
  out.squares.assign(count, 0.0);
  out.missing.assign(count, {});
  std::size_t j = 0;
  for (; j + kGroup <= count; j += kGroup) sums_of_group<kGroup>(columns, j, rows, n, vectors, stride, out);
  for (; j < count; ++j) sums_of_group<1>(columns, j, rows, n, vectors, stride, out);
}

}  // namespace kohort::assoc::detail
