#include "assoc/missing_projection.h"

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace kohort::assoc::detail {

namespace {

// One register of doubles, the widest the build has: each double is its own lane, and every lane
// is summed with fused multiply-adds, so the width changes no sum.
#if defined(__AVX512F__)
using Register = __m512d;
constexpr std::size_t kLanes = 8;
inline Register load(const double* p) { return _mm512_loadu_pd(p); }
inline void store(double* p, Register x) { _mm512_storeu_pd(p, x); }
inline Register broadcast(double x) { return _mm512_set1_pd(x); }
inline Register fma(Register a, Register b, Register c) { return _mm512_fmadd_pd(a, b, c); }
inline Register zero() { return _mm512_setzero_pd(); }
#elif defined(__AVX2__) && defined(__FMA__)
using Register = __m256d;
constexpr std::size_t kLanes = 4;
inline Register load(const double* p) { return _mm256_loadu_pd(p); }
inline void store(double* p, Register x) { _mm256_storeu_pd(p, x); }
inline Register broadcast(double x) { return _mm256_set1_pd(x); }
inline Register fma(Register a, Register b, Register c) { return _mm256_fmadd_pd(a, b, c); }
inline Register zero() { return _mm256_setzero_pd(); }
#else
struct Register {
  double lane[4];
};
constexpr std::size_t kLanes = 4;
inline Register load(const double* p) {
  Register r;
  std::memcpy(r.lane, p, sizeof r.lane);
  return r;
}
inline void store(double* p, Register x) { std::memcpy(p, x.lane, sizeof x.lane); }
inline Register broadcast(double x) { return {{x, x, x, x}}; }
inline Register fma(Register a, Register b, Register c) {
  for (std::size_t i = 0; i < kLanes; ++i) c.lane[i] = std::fma(a.lane[i], b.lane[i], c.lane[i]);
  return c;
}
inline Register zero() { return {{0, 0, 0, 0}}; }
#endif

// Rows c0 .. c0 + Block of the cross-products (and, with `squares`, the squares) for the lanes
// [lane, lane + kLanes): the sums stay in registers while the rows pass.
template <std::size_t Block>
void cross_slice(const double* const* rows, std::size_t count, std::size_t c0, std::size_t lane, std::size_t stride, double* cross,
                 double* squares) {
  Register sum[Block], square = zero();
  for (auto& s : sum) s = zero();
  for (std::size_t r = 0; r < count; ++r) {
    const double* row = rows[r];
    const Register x = load(row + lane);
    for (std::size_t b = 0; b < Block; ++b) sum[b] = fma(broadcast(row[c0 + b]), x, sum[b]);
    if (squares) square = fma(x, x, square);
  }
  for (std::size_t b = 0; b < Block; ++b) store(cross + (c0 + b) * stride + lane, sum[b]);
  if (squares) store(squares + lane, square);
}

using CrossSlice = void (*)(const double* const*, std::size_t, std::size_t, std::size_t, std::size_t, double*, double*);
constexpr std::size_t kMaxBlock = 8;
constexpr CrossSlice kCrossSlices[kMaxBlock] = {cross_slice<1>, cross_slice<2>, cross_slice<3>, cross_slice<4>,
                                               cross_slice<5>, cross_slice<6>, cross_slice<7>, cross_slice<8>};

}  // namespace

void missing_cross_products(const double* const* rows, std::size_t count, std::size_t k, std::size_t stride, double* cross,
                            double* squares) {
  // A slice of lanes at a time, over every row: the rows (a few hundred, `stride` doubles each)
  // stay in the second-level cache, the sums in registers.
  for (std::size_t lane = 0; lane < stride; lane += kLanes) {
    for (std::size_t c0 = 0; c0 < k; c0 += kMaxBlock) {
      const std::size_t block = std::min(kMaxBlock, k - c0);
      kCrossSlices[block - 1](rows, count, c0, lane, stride, cross, c0 == 0 ? squares : nullptr);
    }
  }
  if (k == 0) std::fill(squares, squares + stride, 0.0);
}

void solve_lanes(const double* l, const double* inverse_diagonal, std::size_t k, const double* b, std::size_t step, std::size_t width,
                 const double* g, double* out_g, double* out_b, double* scratch) {
  double* __restrict z = scratch;
  // Forward substitution, L z = B, then back, L' x = z, row by row of all lanes at once.
  for (std::size_t c = 0; c < k; ++c) {
    double* __restrict zc = z + c * width;
    const double* __restrict bc = b + c * step;
    for (std::size_t j = 0; j < width; ++j) zc[j] = bc[j];
    for (std::size_t d = 0; d < c; ++d) {
      const double lcd = l[c + d * k];
      const double* __restrict zd = z + d * width;
      for (std::size_t j = 0; j < width; ++j) zc[j] -= lcd * zd[j];
    }
    for (std::size_t j = 0; j < width; ++j) zc[j] *= inverse_diagonal[c];
  }
  for (std::size_t c = k; c-- > 0;) {
    double* __restrict zc = z + c * width;
    for (std::size_t d = c + 1; d < k; ++d) {
      const double ldc = l[d + c * k];
      const double* __restrict zd = z + d * width;
      for (std::size_t j = 0; j < width; ++j) zc[j] -= ldc * zd[j];
    }
    for (std::size_t j = 0; j < width; ++j) zc[j] *= inverse_diagonal[c];
  }
  std::fill(out_g, out_g + width, 0.0);
  std::fill(out_b, out_b + width, 0.0);
  for (std::size_t c = 0; c < k; ++c) {
    const double* __restrict zc = z + c * width;
    const double* __restrict bc = b + c * step;
    const double gc = g[c];
    for (std::size_t j = 0; j < width; ++j) {
      out_g[j] += gc * zc[j];
      out_b[j] += bc[j] * zc[j];
    }
  }
}

}  // namespace kohort::assoc::detail
