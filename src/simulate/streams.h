#pragma once
// Stream numbers for kohort::Random in the simulator: each kind of work draws from its own
// stream, keyed further by person, variant or chromosome index.
#include <cstdint>

namespace kohort::simulate {

inline constexpr std::uint64_t kStreamPerson = 1;
inline constexpr std::uint64_t kStreamVariant = 2;
inline constexpr std::uint64_t kStreamHaplotype = 3;  // + chromosome * 16
inline constexpr std::uint64_t kStreamChromosome = 4;
inline constexpr std::uint64_t kStreamHistory = 5;
inline constexpr std::uint64_t kStreamCausal = 6;
inline constexpr std::uint64_t kStreamLiability = 7;
inline constexpr std::uint64_t kStreamMissing = 8;

}  // namespace kohort::simulate
