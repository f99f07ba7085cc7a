#pragma once
// The inner loops of PackedProducts: bit-plane extraction from .bed rows, the tables of a block of
// 64 samples, and the sums of their entries for many variants. They live in a translation unit of
// their own, without Eigen, so that the build can compile it alone for the widest vectors the
// processor has (AVX-512) and nothing else changes.
#include <cstddef>
#include <cstdint>

namespace kohort::assoc::detail {

// Bit planes: a row's samples with at least one ALT allele (het or hom ALT) and those with two, one
// bit a sample, so that the ALT count is the sum of the two bits (missing calls: neither). A byte of
// a plane (8 samples) indexes a table of 256 entries, the sums of the vectors of every subset of
// those samples: two lookups cover 8 samples, where tables of sample pairs (kohort before
// 2026-12-04) needed four.
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
// first plane indexes `tables`, its second `two_tables` (`tables` itself, or, for squared counts,
// tables whose squared lanes are tripled: 1 + 3 makes hom ALT's 4); its planes are at
// planes + j * kPlaneBytes. Every double's sum is the same fold whatever the width: per table, in
// order, its two entries added to each other and then to the block's sum, which is added to `sums`.
void accumulate_plane_sums(const double* tables, const double* two_tables, std::size_t width, const std::uint8_t* planes, std::size_t count,
                           double* sums, std::size_t out_step);

}  // namespace kohort::assoc::detail
