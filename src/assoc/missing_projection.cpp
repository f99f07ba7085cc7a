#include "assoc/missing_projection.h"

#include <algorithm>
#include <cmath>

namespace kohort::assoc::detail {

void missing_cross_products(const double* const* rows, std::size_t count, std::size_t k, std::size_t stride, double* cross,
                            double* squares) {
  std::fill(cross, cross + k * stride, 0.0);
  std::fill(squares, squares + stride, 0.0);
  constexpr std::size_t kAhead = 8;  // rows prefetched ahead: each lies far from the last
  for (std::size_t r = 0; r < count; ++r) {
    if (r + kAhead < count)
      for (std::size_t j = 0; j < stride; j += 8) __builtin_prefetch(rows[r + kAhead] + j);
    const double* __restrict row = rows[r];
    for (std::size_t c = 0; c < k; ++c) {
      const double x = row[c];
      double* __restrict out = cross + c * stride;
      for (std::size_t j = 0; j < stride; ++j) out[j] = std::fma(x, row[j], out[j]);
    }
    double* __restrict out = squares;
    for (std::size_t j = 0; j < stride; ++j) out[j] = std::fma(row[j], row[j], out[j]);
  }
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
