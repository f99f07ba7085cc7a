#include "assoc/packed_sums.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <immintrin.h>

namespace kohort::assoc::detail {
namespace {

// The widest register: the build compiles this file with AVX-512 where the processor has it.
#if defined(__AVX512F__)
typedef double Wide __attribute__((vector_size(64)));
constexpr std::size_t kRegisters = 32;
#else
typedef double Wide __attribute__((vector_size(32)));
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

// A sum of Width doubles (a multiple of 8) in registers. Each double is its own lane, so the
// register width does not change any sum.
template <std::size_t Width>
struct EntrySum {
  static_assert(Width % kWideDoubles == 0, "entries are whole registers");
  static constexpr std::size_t kRegistersUsed = Width / kWideDoubles;
  Wide wide[kRegistersUsed];

  void zero() {  // element by element: `= {}` on the array compiles to a call to memset
    for (auto& w : wide) w = Wide{};
  }
  void add_two(const double* first, const double* second) {  // (first + second) added to the sum
    for (std::size_t i = 0; i < kRegistersUsed; ++i) wide[i] += load<Wide>(first + i * kWideDoubles) + load<Wide>(second + i * kWideDoubles);
  }
  void add_into(double* out) const {
    for (std::size_t i = 0; i < kRegistersUsed; ++i) add_to(out + i * kWideDoubles, wide[i]);
  }
};

// Variants per group: as many as fill half the registers with their sums, at most 8. Their
// independent sums hide the adds' latency.
template <std::size_t Width>
constexpr std::size_t group_size() {
  return std::clamp<std::size_t>(kRegisters / 2 / EntrySum<Width>::kRegistersUsed, 1, 8);
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
void accumulate_plane_variants(const double* tables, const double* two_tables, const std::uint8_t* const* planes, double* const* out) {
  EntrySum<Width> acc[Variants];
  for (auto& a : acc) a.zero();
  for (std::size_t g = 0; g < kPlaneBlockGroups; ++g) {
    const double* table = tables + g * kPlaneEntries * Width;
    const double* two_table = two_tables + g * kPlaneEntries * Width;
    for (std::size_t j = 0; j < Variants; ++j)
      acc[j].add_two(table + planes[j][g] * Width, two_table + planes[j][kPlaneBlockGroups + g] * Width);
  }
  for (std::size_t j = 0; j < Variants; ++j) acc[j].add_into(out[j]);
}

template <std::size_t Width>
void accumulate_planes(const double* tables, const double* two_tables, const std::uint8_t* planes, std::size_t count, double* sums,
                       std::size_t out_step) {
  constexpr std::size_t kGroup = group_size<Width>();
  const std::uint8_t* rows[kGroup];
  double* out[kGroup];
  std::size_t j = 0;
  for (; j + kGroup <= count; j += kGroup) {
    for (std::size_t g = 0; g < kGroup; ++g) {
      rows[g] = planes + (j + g) * kPlaneBytes;
      out[g] = sums + (j + g) * out_step;
    }
    accumulate_plane_variants<Width, kGroup>(tables, two_tables, rows, out);
  }
  for (; j < count; ++j) {
    rows[0] = planes + j * kPlaneBytes;
    out[0] = sums + j * out_step;
    accumulate_plane_variants<Width, 1>(tables, two_tables, rows, out);
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

void accumulate_plane_sums(const double* tables, const double* two_tables, std::size_t width, const std::uint8_t* planes, std::size_t count,
                           double* sums, std::size_t out_step) {
  switch (width) {
    case 8: return accumulate_planes<8>(tables, two_tables, planes, count, sums, out_step);
    case 16: return accumulate_planes<16>(tables, two_tables, planes, count, sums, out_step);
    case 24: return accumulate_planes<24>(tables, two_tables, planes, count, sums, out_step);
    default: return accumulate_planes<32>(tables, two_tables, planes, count, sums, out_step);
  }
}

}  // namespace kohort::assoc::detail
