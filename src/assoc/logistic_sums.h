#pragma once
// The inner sums of a logistic (and Firth) fit over a chunk of rows of a column-major design X:
// the weighted cross-products X'WX, the leverages' quadratic forms |L^-1 x_i|^2, and X'v. Each
// keeps its partial sums in registers for a few columns at a time: as dot products column by
// column they were bound by loads and took half of a binary GWAS run (Firth fits).
#include <cstddef>

namespace kohort::assoc::detail {

// Adds sum_i weight[i] x[i, a] x[i, b] to lower[b + a * columns] for b >= a (the lower triangle of
// a column-major columns x columns matrix). Row i of column a is at x[i + a * stride]; `rows` rows.
void add_weighted_cross_products(const double* x, std::size_t stride, std::size_t columns, const double* weight, std::size_t rows,
                                 double* lower);

// quadratic[i] = |L^-1 x_i|^2 for each of `rows` rows, L lower triangular (column-major, columns x
// columns), by forward substitution: z_a = (x_ia - sum_{b<a} L_ab z_b) * inverse_diagonal[a].
void leverage_quadratic(const double* x, std::size_t stride, std::size_t columns, const double* l, const double* inverse_diagonal,
                        std::size_t rows, double* quadratic);

// Adds sum_i x[i, a] v[i] to total[a] for each column a.
void add_cross_products(const double* x, std::size_t stride, std::size_t columns, const double* v, std::size_t rows, double* total);

}  // namespace kohort::assoc::detail
