#pragma once
// The inner loops of PackedProducts: sums of pair-table entries over a chunk of sample pairs, or of
// bit-plane table entries over a block of 64 samples, for many variants. They live in a
// translation unit of their own, without Eigen, so that the build can compile it alone for the
// widest vectors the processor has (AVX-512) and nothing else changes.
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

// Bit planes: a row's samples with at least one ALT allele (het or hom ALT) and those with two, one
// bit a sample, so that the ALT count is the sum of the two bits (missing calls: neither). A byte of
// a plane (8 samples) indexes a table of 256 entries, the sums of the vectors of every subset of
// those samples: two lookups cover 8 samples, where the pair tables need four.
constexpr std::size_t kPlaneGroupSamples = 8;   // samples a table covers (one byte of a plane)
constexpr std::size_t kPlaneBlockGroups = 8;    // tables a block's sums use
constexpr std::size_t kPlaneBlockSamples = kPlaneGroupSamples * kPlaneBlockGroups;
constexpr std::size_t kPlaneBytes = 2 * kPlaneBlockGroups;  // a row's two planes of a block
constexpr std::size_t kPlaneEntries = 256;

// The planes of `count` .bed rows over blocks [first_block, first_block + blocks): block b's
// planes of row j are at planes + (b * count + j) * kPlaneBytes, the first plane's 8 bytes before
// the second's. Samples from `file_samples` on are in neither plane.
void extract_planes(const std::uint8_t* const* rows, std::size_t count, std::size_t file_samples, std::size_t first_block,
                    std::size_t blocks, std::uint8_t* planes);

// A block's tables for the doubles [offset, offset + width) of each sample's vector: `by_sample`
// holds `stride` doubles a file sample (zero for samples outside the vectors' set); the block
// starts at sample `first_sample`, samples from `file_samples` on count as zero. Table g, entry e
// (at tables + (g * kPlaneEntries + e) * width) is the sum of the vectors of samples
// first_sample + 8g + bit for the bits of e: the sum of the low nibble's samples plus that of the
// high nibble's, each summed highest bit first. `width` is a multiple of 8, at most 32.
void build_plane_tables(const double* by_sample, std::size_t stride, std::size_t offset, std::size_t width, std::size_t first_sample,
                        std::size_t file_samples, double* tables);

// Adds, for each of `count` rows, its block's entries to its sums (at sums + j * out_step): row j's
// planes are at planes + j * kPlaneBytes. Every double's sum is the same fold whatever the width:
// per table, in order, its two entries added to each other and then to the block's sum, which is
// added to `sums`.
void accumulate_plane_sums(const double* tables, std::size_t width, const std::uint8_t* planes, std::size_t count, double* sums,
                           std::size_t out_step);

// Doubles in the widest vector register the kernel was compiled for (4 with AVX2, 8 with AVX-512).
std::size_t pair_sums_vector_doubles();

}  // namespace kohort::assoc::detail
