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

inline void keep_in_registers(Vector8& v) { __asm__("" : "+v"(v)); }
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

// Pins a row's vector slice in registers: without it, GCC 12 multiplied each variant's value by
// the slice straight from memory, loading it once per variant of the group (12 loads a row where
// 6 do; bench_assoc_dense_sums: 10-35% slower). The empty asm statement changes no bits.
inline void keep_in_registers(Vector8& v) { __asm__("" : "+x"(v.low), "+x"(v.high)); }
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

// Rows [first, last) of a group of variants: their values cleaned, then their products with those
// rows' vectors added to `out`, 8 lanes at a time.
template <std::size_t Variants>
void products_of_block(const double* const* columns, const std::ptrdiff_t* rows, std::size_t first, std::size_t last, const double* vectors,
                       std::size_t stride, double* const* out, Vector4* sum, Vector4* square, std::vector<std::uint32_t>* missing) {
  alignas(64) double clean[Variants][kDenseBlockRows];
  for (std::size_t j = 0; j < Variants; ++j) clean_block(columns[j], rows, first, last, clean[j], sum[j], square[j], missing[j]);
  for (std::size_t slice = 0; slice < stride; slice += 8) {
    Vector8 acc[Variants];
    for (auto& a : acc) a = Vector8{};
    for (std::size_t r = first; r < last; ++r) {
      Vector8 v = load8(vectors + r * stride + slice);
      keep_in_registers(v);
      for (std::size_t j = 0; j < Variants; ++j) acc[j] += clean[j][r - first] * v;
    }
    for (std::size_t j = 0; j < Variants; ++j) add_to(out[j] + slice, acc[j]);
  }
}

}  // namespace

void dense_sums(const double* const* columns, std::size_t count, const std::ptrdiff_t* rows, std::size_t n, const double* vectors,
                std::size_t stride, DenseSums& out) {
  out.products.assign(count * stride, 0.0);
  out.sums.assign(count, 0.0);
  out.squares.assign(count, 0.0);
  out.missing.assign(count, {});
  std::vector<double*> results(count);
  for (std::size_t j = 0; j < count; ++j) results[j] = out.products.data() + j * stride;
  std::vector<Vector4> sums(count, Vector4{}), squares(count, Vector4{});
  // Blocks of rows outside, groups of variants inside: every group reads a block's vectors while
  // they are still in the cache. With the groups outside (until 2026-12-07), each group read all
  // n x stride vectors, from memory when there were many phenotypes: 200 phenotypes on the
  // bench's 8-bit BGEN (20,000 x 20,000) took 49-53 s at 2 threads, now 20-22 s. Each variant's
  // sums are the same terms in the same order either way, so the files are the same bytes.
  for (std::size_t first = 0; first < n; first += kDenseBlockRows) {
    const std::size_t last = std::min(n, first + kDenseBlockRows);
    std::size_t j = 0;
    for (; j + kGroup <= count; j += kGroup)
      products_of_block<kGroup>(columns + j, rows, first, last, vectors, stride, results.data() + j, sums.data() + j, squares.data() + j,
                                out.missing.data() + j);
    for (; j < count; ++j)
      products_of_block<1>(columns + j, rows, first, last, vectors, stride, results.data() + j, sums.data() + j, squares.data() + j,
                           out.missing.data() + j);
  }
  for (std::size_t j = 0; j < count; ++j) {
    out.sums[j] = (sums[j][0] + sums[j][1]) + (sums[j][2] + sums[j][3]);
    out.squares[j] = (squares[j][0] + squares[j][1]) + (squares[j][2] + squares[j][3]);
  }
}

}  // namespace kohort::assoc::detail
