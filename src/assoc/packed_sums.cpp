#include "assoc/packed_sums.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <immintrin.h>
#include <type_traits>

namespace kohort::assoc::detail {
namespace {

typedef double Vector4 __attribute__((vector_size(32)));
// The widest register: the build compiles this file with AVX-512 where the processor has it.
#if defined(__AVX512F__)
typedef double Wide __attribute__((vector_size(64)));
constexpr std::size_t kRegisters = 32;
#else
typedef Vector4 Wide;
constexpr std::size_t kRegisters = 16;
#endif
constexpr std::size_t kWideDoubles = sizeof(Wide) / sizeof(double);

template <class Vector>
inline Vector load(const double* p) {
  Vector v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

template <class Vector>
inline void add_to(double* p, Vector x) {
  const Vector total = load<Vector>(p) + x;
  std::memcpy(p, &total, sizeof total);
}

constexpr unsigned count_of_code(unsigned code) { return code == 0 ? 2 : code == 2 ? 1 : 0; }
constexpr std::uint8_t kEntryOfNibble[16] = {
#define KOHORT_NIBBLE(n) static_cast<std::uint8_t>(entry_of_counts(count_of_code((n) & 3), count_of_code((n) >> 2)))
    KOHORT_NIBBLE(0),  KOHORT_NIBBLE(1),  KOHORT_NIBBLE(2),  KOHORT_NIBBLE(3),  KOHORT_NIBBLE(4),  KOHORT_NIBBLE(5),
    KOHORT_NIBBLE(6),  KOHORT_NIBBLE(7),  KOHORT_NIBBLE(8),  KOHORT_NIBBLE(9),  KOHORT_NIBBLE(10), KOHORT_NIBBLE(11),
    KOHORT_NIBBLE(12), KOHORT_NIBBLE(13), KOHORT_NIBBLE(14), KOHORT_NIBBLE(15)
#undef KOHORT_NIBBLE
};

inline unsigned nibble_of(const std::uint8_t* row, std::size_t pair) { return (row[pair >> 1] >> ((pair & 1) * 4)) & 15; }

// A sum of Width doubles in registers: wide vectors, and one of 4 doubles where Width is not a
// multiple of the wide ones (28 doubles are 3 x 8 + 4 with AVX-512). Each double is its own lane,
// so the register width does not change any sum.
template <std::size_t Width>
struct EntrySum {
  static constexpr std::size_t kWide = Width / kWideDoubles;
  static constexpr bool kTail = Width % kWideDoubles != 0;
  static constexpr std::size_t kRegistersUsed = kWide + (kTail ? 1 : 0);
  Wide wide[kWide ? kWide : 1];
  Vector4 tail;

  void zero() {  // element by element: `= {}` on the arrays compiles to a call to memset
    for (auto& w : wide) w = Wide{};
    tail = Vector4{};
  }
  void add(const double* entry) {
    for (std::size_t i = 0; i < kWide; ++i) wide[i] += load<Wide>(entry + i * kWideDoubles);
    if constexpr (kTail) tail += load<Vector4>(entry + kWide * kWideDoubles);
  }
  void add_two(const double* first, const double* second) {  // (first + second) added to the sum
    for (std::size_t i = 0; i < kWide; ++i) wide[i] += load<Wide>(first + i * kWideDoubles) + load<Wide>(second + i * kWideDoubles);
    if constexpr (kTail) tail += load<Vector4>(first + kWide * kWideDoubles) + load<Vector4>(second + kWide * kWideDoubles);
  }
  void add_into(double* out) const {
    for (std::size_t i = 0; i < kWide; ++i) add_to(out + i * kWideDoubles, wide[i]);
    if constexpr (kTail) add_to(out + kWide * kWideDoubles, tail);
  }
};

// Sums `Variants` variants' entries over pairs [first, last). The variants share each pair's table
// address, so the integer work per lookup shrinks, and their independent sums hide the adds'
// latency. (Adding two pairs' entries to each other first costs an instruction more per load and
// was 5% slower with wide entries.)
template <std::size_t Width, std::size_t Variants>
void accumulate_variants(const double* __restrict table, const std::uint8_t* const* rows, std::size_t first, std::size_t last,
                         double* const* out) {
  for (std::size_t block = first; block < last; block += kBlockPairs) {
    const std::size_t block_end = std::min(last, block + kBlockPairs);
    EntrySum<Width> acc[Variants];
    for (auto& a : acc) a.zero();
    std::size_t pair = block;
    for (; pair + 1 < block_end; pair += 2) {
      const double* base = table + pair * kPairEntries * Width;
      for (std::size_t j = 0; j < Variants; ++j) {
        const unsigned byte = rows[j][(pair - first) >> 1];
        acc[j].add(base + kEntryOfNibble[byte & 15] * Width);
        acc[j].add(base + (kPairEntries + kEntryOfNibble[byte >> 4]) * Width);
      }
    }
    if (pair < block_end) {  // the last pair of an odd count
      const double* base = table + pair * kPairEntries * Width;
      for (std::size_t j = 0; j < Variants; ++j) acc[j].add(base + kEntryOfNibble[nibble_of(rows[j], pair - first)] * Width);
    }
    for (std::size_t j = 0; j < Variants; ++j) acc[j].add_into(out[j]);
  }
}

// Variants per group. With 16 registers (AVX2): 8 registers of sums up to 16 doubles an entry, 2
// variants up to 28, else 1. With 32 (AVX-512): as many as fill half the registers, at most 8.
template <std::size_t Width>
constexpr std::size_t group_size() {
  constexpr std::size_t used = EntrySum<Width>::kRegistersUsed;
  if constexpr (kRegisters == 16) return Width <= 16 ? 8 / used : Width <= 28 ? 2 : 1;
  return std::clamp<std::size_t>(kRegisters / 2 / used, 1, 8);
}

// Where a pair's entry lies in its block's table, in doubles, for the byte position << 4 | nibble.
template <std::size_t Width>
struct EntryOffsets {
  std::uint16_t of[256];
  constexpr EntryOffsets() : of() {
    for (unsigned byte = 0; byte < 256; ++byte) of[byte] = static_cast<std::uint16_t>(((byte >> 4) * kPairEntries + kEntryOfNibble[byte & 15]) * Width);
  }
};
template <std::size_t Width>
constexpr EntryOffsets<Width> kEntryOffsets{};

// The pairs of a block (one 64-bit word of a row, 4 bits a pair) whose entry is not the zero one,
// in order, as bytes position << 4 | nibble; returns how many. Past them the list holds 0x0F (the
// first pair's zero entry: both counts 0).
inline unsigned nonzero_pairs(std::uint64_t word, std::uint64_t valid, std::uint8_t* list) {
  // Codes 01 (missing) and 11 (hom REF) count 0: the low bits of both codes of a pair set.
  const std::uint64_t nonzero = ~(word & (word >> 2)) & valid;
  const unsigned count = static_cast<unsigned>(__builtin_popcountll(nonzero));
#if defined(__BMI2__) && !defined(__znver1__) && !defined(__znver2__)  // pext is microcoded before Zen 3
  constexpr std::uint64_t kLowNibbles = 0x0F0F0F0F0F0F0F0FULL;
  const std::uint64_t nibble_mask = nonzero * 15;
  const std::uint64_t pad = count == 16 ? 0 : ~std::uint64_t{0} << (4 * count);
  const std::uint64_t nibbles = _pext_u64(word, nibble_mask) | pad, positions = _pext_u64(0xFEDCBA9876543210ULL, nibble_mask);
  const std::uint64_t low = _pdep_u64(nibbles, kLowNibbles) | _pdep_u64(positions, ~kLowNibbles);
  const std::uint64_t high = _pdep_u64(nibbles >> 32, kLowNibbles) | _pdep_u64(positions >> 32, ~kLowNibbles);
  std::memcpy(list, &low, 8);
  std::memcpy(list + 8, &high, 8);
#else
  std::memset(list, 0x0F, 16);
  unsigned at = 0;
  for (unsigned pair = 0; pair < 16; ++pair) {  // without a branch: where a pair goes is a coin toss
    const unsigned keep = static_cast<unsigned>((nonzero >> (4 * pair)) & 1);
    const std::uint8_t byte = static_cast<std::uint8_t>(pair << 4 | ((word >> (4 * pair)) & 15));
    list[at] = keep ? byte : list[at];
    at += keep;
  }
#endif
  return count;
}

// `Variants` variants' sums over pairs [first, last), adding only the entries of their pairs that
// are not the zero one. The variants step through their lists of such pairs together, as many
// steps as the longest list; a shorter one adds the zero entry of its block's first pair, which
// leaves its sum's bits as they are.
template <std::size_t Width, std::size_t Variants>
void accumulate_nonzero_variants(const double* __restrict table, const std::uint8_t* const* rows, std::size_t first, std::size_t last,
                                 double* const* out) {
  static_assert(kBlockPairs == 16, "a block is one 64-bit word");
  constexpr std::uint64_t kPairBits = 0x1111111111111111ULL;  // the lowest bit of every pair
  const std::uint16_t* offsets = kEntryOffsets<Width>.of;
  for (std::size_t block = first; block < last; block += kBlockPairs) {
    const std::size_t pairs = std::min(kBlockPairs, last - block);
    const std::uint64_t valid = pairs == kBlockPairs ? kPairBits : kPairBits & ((std::uint64_t{1} << (4 * pairs)) - 1);
    alignas(16) std::uint8_t list[Variants][16];
    unsigned steps = 0;
    for (std::size_t j = 0; j < Variants; ++j) {
      std::uint64_t word;
      std::memcpy(&word, rows[j] + (block - first) / 2, sizeof word);  // callers leave room past a short last block
      steps = std::max(steps, nonzero_pairs(word, valid, list[j]));
    }
    EntrySum<Width> acc[Variants];
    for (auto& a : acc) a.zero();
    const double* base = table + block * kPairEntries * Width;
    for (unsigned step = 0; step < steps; ++step)
      for (std::size_t j = 0; j < Variants; ++j) acc[j].add(base + offsets[list[j][step]]);
    for (std::size_t j = 0; j < Variants; ++j) acc[j].add_into(out[j]);
  }
}

// Groups of variants through one of the two kernels: every pair's entry, or the nonzero ones.
template <std::size_t Width, bool SkipZero>
void accumulate(const double* table, const std::uint8_t* chunk_rows, std::size_t row_step, std::size_t count, std::size_t first,
                std::size_t last, double* sums, std::size_t out_step) {
  constexpr std::size_t kGroup = group_size<Width>();
  auto run = [&](auto variants, const std::uint8_t* const* rows, double* const* out) {
    constexpr std::size_t size = decltype(variants)::value;
    if constexpr (SkipZero) {
      accumulate_nonzero_variants<Width, size>(table, rows, first, last, out);
    } else {
      accumulate_variants<Width, size>(table, rows, first, last, out);
    }
  };
  const std::uint8_t* rows[kGroup];
  double* out[kGroup];
  std::size_t j = 0;
  for (; j + kGroup <= count; j += kGroup) {
    for (std::size_t g = 0; g < kGroup; ++g) {
      rows[g] = chunk_rows + (j + g) * row_step;
      out[g] = sums + (j + g) * out_step;
    }
    run(std::integral_constant<std::size_t, kGroup>{}, rows, out);
  }
  for (; j < count; ++j) {
    rows[0] = chunk_rows + j * row_step;
    out[0] = sums + j * out_step;
    run(std::integral_constant<std::size_t, 1>{}, rows, out);
  }
}

template <bool SkipZero>
void accumulate_width(const double* table, std::size_t width, const std::uint8_t* chunk_rows, std::size_t row_step, std::size_t count,
                      std::size_t first, std::size_t last, double* sums, std::size_t out_step) {
  switch (width) {
    case 4: return accumulate<4, SkipZero>(table, chunk_rows, row_step, count, first, last, sums, out_step);
    case 8: return accumulate<8, SkipZero>(table, chunk_rows, row_step, count, first, last, sums, out_step);
    case 12: return accumulate<12, SkipZero>(table, chunk_rows, row_step, count, first, last, sums, out_step);
    case 16: return accumulate<16, SkipZero>(table, chunk_rows, row_step, count, first, last, sums, out_step);
    case 20: return accumulate<20, SkipZero>(table, chunk_rows, row_step, count, first, last, sums, out_step);
    case 24: return accumulate<24, SkipZero>(table, chunk_rows, row_step, count, first, last, sums, out_step);
    case 28: return accumulate<28, SkipZero>(table, chunk_rows, row_step, count, first, last, sums, out_step);
    default: return accumulate<32, SkipZero>(table, chunk_rows, row_step, count, first, last, sums, out_step);
  }
}

// The even bits of a word (one per 2-bit code), packed into 32 bits.
inline std::uint32_t even_bits(std::uint64_t word) {
#if defined(__BMI2__) && !defined(__znver1__) && !defined(__znver2__)
  return static_cast<std::uint32_t>(_pext_u64(word, 0x5555555555555555ULL));
#else
  word &= 0x5555555555555555ULL;
  word = (word | (word >> 1)) & 0x3333333333333333ULL;
  word = (word | (word >> 2)) & 0x0F0F0F0F0F0F0F0FULL;
  word = (word | (word >> 4)) & 0x00FF00FF00FF00FFULL;
  word = (word | (word >> 8)) & 0x0000FFFF0000FFFFULL;
  word = (word | (word >> 16)) & 0x00000000FFFFFFFFULL;
  return static_cast<std::uint32_t>(word);
#endif
}

// `Variants` rows' sums over one block: each adds its two planes' entries of each table.
template <std::size_t Width, std::size_t Variants>
void accumulate_plane_variants(const double* __restrict tables, const std::uint8_t* const* planes, double* const* out) {
  EntrySum<Width> acc[Variants];
  for (auto& a : acc) a.zero();
  for (std::size_t g = 0; g < kPlaneBlockGroups; ++g) {
    const double* table = tables + g * kPlaneEntries * Width;
    for (std::size_t j = 0; j < Variants; ++j)
      acc[j].add_two(table + planes[j][g] * Width, table + planes[j][kPlaneBlockGroups + g] * Width);
  }
  for (std::size_t j = 0; j < Variants; ++j) acc[j].add_into(out[j]);
}

template <std::size_t Width>
void accumulate_planes(const double* tables, const std::uint8_t* planes, std::size_t count, double* sums, std::size_t out_step) {
  constexpr std::size_t kGroup = group_size<Width>();
  const std::uint8_t* rows[kGroup];
  double* out[kGroup];
  std::size_t j = 0;
  for (; j + kGroup <= count; j += kGroup) {
    for (std::size_t g = 0; g < kGroup; ++g) {
      rows[g] = planes + (j + g) * kPlaneBytes;
      out[g] = sums + (j + g) * out_step;
    }
    accumulate_plane_variants<Width, kGroup>(tables, rows, out);
  }
  for (; j < count; ++j) {
    rows[0] = planes + j * kPlaneBytes;
    out[0] = sums + j * out_step;
    accumulate_plane_variants<Width, 1>(tables, rows, out);
  }
}

}  // namespace

void extract_planes(const std::uint8_t* const* rows, std::size_t count, std::size_t file_samples, std::size_t first_block,
                    std::size_t blocks, std::uint8_t* planes) {
  static_assert(kPlaneBlockSamples == 64, "a block is two 64-bit words of a row");
  const std::size_t row_bytes = (file_samples + 3) / 4;
  const std::size_t first_byte = first_block * kPlaneBlockSamples / 4, batch_bytes = blocks * kPlaneBlockSamples / 4;
  for (std::size_t j = 0; j < count; ++j) {
    // Each row lies on pages of its own, where the hardware prefetcher does not follow.
    if (j + 4 < count)
      for (std::size_t b = 0; b < batch_bytes && first_byte + b < row_bytes; b += 64) __builtin_prefetch(rows[j + 4] + first_byte + b);
    for (std::size_t b = 0; b < blocks; ++b) {
      std::uint8_t* out = planes + (b * count + j) * kPlaneBytes;
      for (std::size_t half = 0; half < 2; ++half) {
        const std::size_t offset = first_byte + b * 16 + half * 8, first_sample = offset * 4;
        std::uint64_t word = 0;
        if (offset + 8 <= row_bytes) {
          std::memcpy(&word, rows[j] + offset, 8);
        } else if (offset < row_bytes) {
          std::memcpy(&word, rows[j] + offset, row_bytes - offset);
        }
        const std::size_t valid = first_sample >= file_samples ? 0 : std::min<std::size_t>(32, file_samples - first_sample);
        const std::uint32_t mask = valid == 32 ? ~std::uint32_t{0} : (std::uint32_t{1} << valid) - 1;
        // Codes: 00 hom ALT, 10 het, 01 missing, 11 hom REF.
        const std::uint32_t low = even_bits(word), high = even_bits(word >> 1);
        const std::uint32_t some = ~low & mask, two = ~low & ~high & mask;
        std::memcpy(out + half * 4, &some, 4);
        std::memcpy(out + kPlaneBlockGroups + half * 4, &two, 4);
      }
    }
  }
}

void build_plane_tables(const double* by_sample, std::size_t stride, std::size_t offset, std::size_t width, std::size_t first_sample,
                        std::size_t file_samples, double* tables) {
  static_assert(kPlaneGroupSamples == 8 && kPlaneEntries == 256, "a table is the sums of two nibbles' subsets");
  constexpr std::size_t kMaxWidth = 32;
  alignas(64) double halves[2][16][kMaxWidth];  // subset sums of samples 0-3 and 4-7 of a group
  for (std::size_t g = 0; g < kPlaneBlockGroups; ++g) {
    const std::size_t group_first = first_sample + g * kPlaneGroupSamples;
    for (std::size_t half = 0; half < 2; ++half) {
      std::fill(halves[half][0], halves[half][0] + width, 0.0);
      for (unsigned subset = 1; subset < 16; ++subset) {
        // A subset is the one without its lowest bit plus that bit's sample.
        const std::size_t sample = group_first + 4 * half + static_cast<std::size_t>(std::countr_zero(subset));
        const double* rest = halves[half][subset & (subset - 1)];
        double* to = halves[half][subset];
        if (sample >= file_samples) {
          std::copy(rest, rest + width, to);
          continue;
        }
        const double* values = by_sample + sample * stride + offset;
        for (std::size_t i = 0; i < width; i += kWideDoubles) {
          const Wide sum = load<Wide>(rest + i) + load<Wide>(values + i);
          std::memcpy(to + i, &sum, sizeof sum);
        }
      }
    }
    // Entry e: its low nibble's subset plus its high nibble's (no entry waits on one just stored).
    double* table = tables + g * kPlaneEntries * width;
    for (unsigned entry = 0; entry < kPlaneEntries; ++entry) {
      const double* low = halves[0][entry & 15];
      const double* high = halves[1][entry >> 4];
      double* to = table + entry * width;
      for (std::size_t i = 0; i < width; i += kWideDoubles) {
        const Wide sum = load<Wide>(low + i) + load<Wide>(high + i);
        std::memcpy(to + i, &sum, sizeof sum);
      }
    }
  }
}

void accumulate_plane_sums(const double* tables, std::size_t width, const std::uint8_t* planes, std::size_t count, double* sums,
                           std::size_t out_step) {
  switch (width) {
    case 8: return accumulate_planes<8>(tables, planes, count, sums, out_step);
    case 16: return accumulate_planes<16>(tables, planes, count, sums, out_step);
    case 24: return accumulate_planes<24>(tables, planes, count, sums, out_step);
    default: return accumulate_planes<32>(tables, planes, count, sums, out_step);
  }
}

void accumulate_nonzero_pair_sums(const double* table, std::size_t width, const std::uint8_t* chunk_rows, std::size_t row_step,
                                  std::size_t count, std::size_t first, std::size_t last, double* sums, std::size_t out_step) {
  accumulate_width<true>(table, width, chunk_rows, row_step, count, first, last, sums, out_step);
}

void accumulate_pair_sums(const double* table, std::size_t width, const std::uint8_t* chunk_rows, std::size_t row_step,
                          std::size_t count, std::size_t first, std::size_t last, double* sums, std::size_t out_step) {
  accumulate_width<false>(table, width, chunk_rows, row_step, count, first, last, sums, out_step);
}

std::size_t pair_sums_vector_doubles() { return kWideDoubles; }

}  // namespace kohort::assoc::detail
