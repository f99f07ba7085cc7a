#pragma once
// (detail) Linear models in exact-missing mode: what the samples a variant drops take out of the
// covariate projection, for all of a group's phenotypes at once. Each phenotype is its own lane,
// computed by the same operations in the same order whatever the others (a matrix product's
// blocking would depend on how many there are), so a phenotype's results do not depend on which
// phenotypes share its group. The sums over rows are explicit fused multiply-adds, the rest plain
// operations (built without contraction): the same bits in every lane, with AVX2 or AVX-512.
#include <cstddef>

namespace kohort::assoc::detail {

// Sums over `count` rows of [q residuals] (each `stride` doubles): cross[c * stride + j] =
// sum_r row_r[c] row_r[j] for c < k and every j < stride, and squares[j] = sum_r row_r[j]^2,
// the rows added in order (`stride` a multiple of 8).
void missing_cross_products(const double* const* rows, std::size_t count, std::size_t k, std::size_t stride, double* cross,
                            double* squares);

// For A = L L' (k x k; `l` column-major, lower triangular; `inverse_diagonal` the reciprocals of its
// diagonal) and the k x width matrix B (B(c, j) at b[c * step + j]): with x_j = A^-1 b_j for each
// lane j, out_g[j] = g' x_j and out_b[j] = b_j' x_j. `scratch` holds k * width doubles.
void solve_lanes(const double* l, const double* inverse_diagonal, std::size_t k, const double* b, std::size_t step, std::size_t width,
                 const double* g, double* out_g, double* out_b, double* scratch);

}  // namespace kohort::assoc::detail
