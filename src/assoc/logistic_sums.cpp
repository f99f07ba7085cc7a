#include "assoc/logistic_sums.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>
#include <vector>

namespace kohort::assoc::detail {
namespace {

// Four doubles as one vector: one AVX2 register. Four rows are summed per lane and the lanes
// added at the end, the same fold at any thread count.
typedef double Vector4 __attribute__((vector_size(32)));

inline Vector4 load(const double* p) {
  Vector4 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline Vector4 splat(double x) { return Vector4{x, x, x, x}; }

inline double lanes(Vector4 v) { return (v[0] + v[1]) + (v[2] + v[3]); }

// Two columns a (weighted) against Columns columns b: 2 x Columns sums in registers, each x_b
// loaded once for both.
template <std::size_t Columns, bool Two>
void weighted_tile(const double* first, const double* second, const double* weight, const double* b, std::size_t stride,
                   std::size_t rows, double (&out)[2][Columns]) {
  Vector4 acc[2][Columns];
  for (auto& side : acc)
    for (auto& a : side) a = Vector4{};
  const std::size_t whole = rows / 4 * 4;
  for (std::size_t i = 0; i < whole; i += 4) {
    const Vector4 w = load(weight + i);
    const Vector4 x0 = load(first + i) * w;
    const Vector4 x1 = Two ? load(second + i) * w : Vector4{};
#pragma GCC unroll 8
    for (std::size_t j = 0; j < Columns; ++j) {
      const Vector4 xb = load(b + j * stride + i);
      acc[0][j] += x0 * xb;
      if (Two) acc[1][j] += x1 * xb;
    }
  }
  for (std::size_t j = 0; j < Columns; ++j) {
    double tail0 = 0, tail1 = 0;
    for (std::size_t i = whole; i < rows; ++i) {
      tail0 += first[i] * weight[i] * b[j * stride + i];
      if (Two) tail1 += second[i] * weight[i] * b[j * stride + i];
    }
    out[0][j] = lanes(acc[0][j]) + tail0;
    out[1][j] = Two ? lanes(acc[1][j]) + tail1 : 0.0;
  }
}

// Up to 7 columns b a tile: 14 sums and the two weighted columns fill the 16 registers.
constexpr std::size_t kTileColumns = 7;

template <std::size_t Columns>
void weighted_tile_columns(const double* x, std::size_t stride, std::size_t columns, const double* weight, std::size_t rows,
                           std::size_t a, std::size_t b0, double* lower) {
  double out[2][Columns];
  const double* first = x + a * stride;
  if (a + 1 < columns) {
    weighted_tile<Columns, true>(first, first + stride, weight, x + b0 * stride, stride, rows, out);
  } else {
    weighted_tile<Columns, false>(first, nullptr, weight, x + b0 * stride, stride, rows, out);
  }
  for (std::size_t j = 0; j < Columns; ++j) {
    const std::size_t b = b0 + j;
    lower[b + a * columns] += out[0][j];
    if (a + 1 < columns && b >= a + 1) lower[b + (a + 1) * columns] += out[1][j];
  }
}

using TileFunction = void (*)(const double*, std::size_t, std::size_t, const double*, std::size_t, std::size_t, std::size_t, double*);
template <std::size_t... I>
constexpr std::array<TileFunction, sizeof...(I)> tile_functions(std::index_sequence<I...>) {
  return {weighted_tile_columns<I + 1>...};
}
constexpr auto kWeightedTiles = tile_functions(std::make_index_sequence<kTileColumns>());

// z = L^-1 x_i one row at a time, z in memory: designs wider than the fixed kernels, and the
// rows after the last group of four.
void quadratic_any(const double* x, std::size_t stride, std::size_t columns, const double* l, const double* inverse_diagonal,
                   std::size_t rows, double* quadratic) {
  std::vector<double> z(columns);
  for (std::size_t i = 0; i < rows; ++i) {
    double sum = 0;
    for (std::size_t a = 0; a < columns; ++a) {
      double value = x[a * stride + i];
      for (std::size_t b = 0; b < a; ++b) value -= l[a + b * columns] * z[b];
      z[a] = value * inverse_diagonal[a];
      sum += z[a] * z[a];
    }
    quadratic[i] = sum;
  }
}

// z = L^-1 x_i for four rows at a time, Columns known at compile time so that z stays in registers.
template <std::size_t Columns>
void quadratic_fixed(const double* x, std::size_t stride, const double* l, const double* inverse_diagonal, std::size_t rows,
                     double* quadratic) {
  Vector4 factor[Columns * (Columns + 1) / 2];  // L_ab (b < a) then 1 / L_aa, row by row, as vectors
  std::size_t f = 0;
  for (std::size_t a = 0; a < Columns; ++a) {
    for (std::size_t b = 0; b < a; ++b) factor[f++] = splat(l[a + b * Columns]);
    factor[f++] = splat(inverse_diagonal[a]);
  }
  const std::size_t whole = rows / 4 * 4;
  for (std::size_t i = 0; i < whole; i += 4) {
    Vector4 z[Columns];
    Vector4 sum{};
    std::size_t g = 0;
    // Unrolled whole, or z goes through the stack and each row waits on a store.
#pragma GCC unroll 16
    for (std::size_t a = 0; a < Columns; ++a) {
      Vector4 value = load(x + a * stride + i);
#pragma GCC unroll 16
      for (std::size_t b = 0; b < a; ++b) value -= factor[g++] * z[b];
      z[a] = value * factor[g++];
      sum += z[a] * z[a];
    }
    std::memcpy(quadratic + i, &sum, sizeof sum);
  }
  if (whole < rows) quadratic_any(x + whole, stride, Columns, l, inverse_diagonal, rows - whole, quadratic + whole);
}

constexpr std::size_t kFixedColumns = 16;
using QuadraticFunction = void (*)(const double*, std::size_t, const double*, const double*, std::size_t, double*);
template <std::size_t... I>
constexpr std::array<QuadraticFunction, sizeof...(I)> quadratic_functions(std::index_sequence<I...>) {
  return {quadratic_fixed<I + 1>...};
}
constexpr auto kQuadratics = quadratic_functions(std::make_index_sequence<kFixedColumns>());

// Columns sums of x_a * v, v loaded once for all of them.
template <std::size_t Columns>
void cross_group(const double* x, std::size_t stride, const double* v, std::size_t rows, double* total) {
  Vector4 acc[Columns];
  for (auto& a : acc) a = Vector4{};
  const std::size_t whole = rows / 4 * 4;
  for (std::size_t i = 0; i < whole; i += 4) {
    const Vector4 vi = load(v + i);
#pragma GCC unroll 8
    for (std::size_t a = 0; a < Columns; ++a) acc[a] += load(x + a * stride + i) * vi;
  }
  for (std::size_t a = 0; a < Columns; ++a) {
    double tail = 0;
    for (std::size_t i = whole; i < rows; ++i) tail += x[a * stride + i] * v[i];
    total[a] += lanes(acc[a]) + tail;
  }
}

constexpr std::size_t kGroupColumns = 8;
using CrossFunction = void (*)(const double*, std::size_t, const double*, std::size_t, double*);
template <std::size_t... I>
constexpr std::array<CrossFunction, sizeof...(I)> cross_functions(std::index_sequence<I...>) {
  return {cross_group<I + 1>...};
}
constexpr auto kCrossGroups = cross_functions(std::make_index_sequence<kGroupColumns>());

}  // namespace

void add_weighted_cross_products(const double* x, std::size_t stride, std::size_t columns, const double* weight, std::size_t rows,
                                 double* lower) {
  for (std::size_t a = 0; a < columns; a += 2)
    for (std::size_t b0 = a; b0 < columns; b0 += kTileColumns)
      kWeightedTiles[std::min(kTileColumns, columns - b0) - 1](x, stride, columns, weight, rows, a, b0, lower);
}

void leverage_quadratic(const double* x, std::size_t stride, std::size_t columns, const double* l, const double* inverse_diagonal,
                        std::size_t rows, double* quadratic) {
  if (columns == 0) {
    std::fill(quadratic, quadratic + rows, 0.0);
  } else if (columns <= kFixedColumns) {
    kQuadratics[columns - 1](x, stride, l, inverse_diagonal, rows, quadratic);
  } else {
    quadratic_any(x, stride, columns, l, inverse_diagonal, rows, quadratic);
  }
}

void add_cross_products(const double* x, std::size_t stride, std::size_t columns, const double* v, std::size_t rows, double* total) {
  for (std::size_t a = 0; a < columns; a += kGroupColumns)
    kCrossGroups[std::min(kGroupColumns, columns - a) - 1](x + a * stride, stride, v, rows, total + a);
}

}  // namespace kohort::assoc::detail
