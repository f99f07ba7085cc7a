#pragma once
// The inner loop of PackedProducts: sums of pair-table entries over a chunk of sample pairs for
// many variants. It lives in a translation unit of its own, without Eigen, so that the build can
// compile it alone for the widest vectors the processor has (AVX-512) and nothing else changes.
#include <cstddef>
#include <cstdint>

namespace kohort::assoc::detail {

// A pair's table has one entry per pair of ALT counts (3 x 3), not per nibble (16): missing and hom
// REF both count 0. The smaller table keeps a chunk's slice in the first-level cache with wide
// entries, about a third faster there.
constexpr std::size_t kPairEntries = 9;
constexpr unsigned entry_of_counts(unsigned first, unsigned second) { return 3 * first + second; }

// Pairs per block of the sums (see accumulate_pair_sums).
constexpr std::size_t kBlockPairs = 16;

// Adds, for each of `count` variants, the table entries of pairs [first, last) to its sums:
// `table` is a slice of `width` doubles an entry (a multiple of 4, at most 32), laid out
// [pair][ALT counts][width]; variant j's bytes of those pairs start at chunk_rows + j * row_step
// and its sums at sums + j * out_step. `first` is a multiple of kBlockPairs. Every double's sum is
// the same fold whatever the width and the vector registers: within a block of kBlockPairs pairs
// the entries are added pair after pair, and the blocks' sums are added to `sums` in order.
void accumulate_pair_sums(const double* table, std::size_t width, const std::uint8_t* chunk_rows, std::size_t row_step,
                          std::size_t count, std::size_t first, std::size_t last, double* sums, std::size_t out_step);

// accumulate_pair_sums for rows where most pairs have no ALT allele (hom REF or missing in both
// samples): their entries are 0, so only the other pairs' entries are added, in the same order and
// blocks, and every sum is the same bits. Each variant then has its own table addresses and a loop
// of varying length per block, which costs more per entry added: it pays where zeros are common.
void accumulate_nonzero_pair_sums(const double* table, std::size_t width, const std::uint8_t* chunk_rows, std::size_t row_step,
                                  std::size_t count, std::size_t first, std::size_t last, double* sums, std::size_t out_step);

// Doubles in the widest vector register the kernel was compiled for (4 with AVX2, 8 with AVX-512).
std::size_t pair_sums_vector_doubles();

}  // namespace kohort::assoc::detail
