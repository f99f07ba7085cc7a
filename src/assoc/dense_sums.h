#pragma once
// The products of decoded genotypes (VCF, BGEN) with a model's per-sample vectors, one pass over
// each variant's dosages: sums, sums of squares, missing calls and the dot products with every
// vector. Like packed_sums.cpp it has no Eigen inside and is built with AVX-512 where the
// processor has it; every double is its own lane, so the sums are the same bits either way, and
// a vector's sums do not depend on the other vectors.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace kohort::assoc::detail {

// Samples per block: a block's vectors stay in the first-level cache while a group of variants
// passes over them. Fixed, so that sums do not depend on how many vectors there are.
constexpr std::size_t kDenseBlockRows = 128;

struct DenseSums {
  std::vector<double> products;                     // count x stride: variant j's products at j * stride
  std::vector<double> sums, squares;                // per variant, of the observed values
  std::vector<std::vector<std::uint32_t>> missing;  // per variant, the set's samples with a missing (NaN) value
};

// For each of `count` dosage columns: value r (r < n) of the sample set is columns[j][rows[r]], or
// columns[j][r] when `rows` is null. `vectors` is n x stride, row-major, stride a multiple of 8 with
// zeros past the vectors. Missing values count 0 in every sum; out.missing lists them.
void dense_sums(const double* const* columns, std::size_t count, const std::ptrdiff_t* rows, std::size_t n, const double* vectors,
                std::size_t stride, DenseSums& out);

}  // namespace kohort::assoc::detail
