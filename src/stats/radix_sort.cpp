// LSD radix sort on 64-bit keys that order like the doubles they come from. Passes whose digit is
// the same for every key (the high bytes of times within a range) are skipped.
#include "stats/radix_sort.h"

#include <array>
#include <cstring>

namespace kohort::stats {
namespace {

std::uint64_t ascending_key(double x) {
  if (x == 0) x = 0;  // -0 sorts with +0
  std::uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  return (bits >> 63) ? ~bits : bits | (std::uint64_t{1} << 63);
}

double from_ascending_key(std::uint64_t key) {
  const std::uint64_t bits = (key >> 63) ? key & ~(std::uint64_t{1} << 63) : ~key;
  double x;
  std::memcpy(&x, &bits, sizeof x);
  return x;
}

// Sorts (key, payload) pairs by key, stably.
template <typename Payload>
void radix_pairs(std::vector<std::uint64_t>& keys, std::vector<Payload>& payload) {
  const std::size_t n = keys.size();
  std::vector<std::uint64_t> keys_out(n);
  std::vector<Payload> payload_out(n);
  std::vector<std::size_t> count(1 << 16);
  for (int shift = 0; shift < 64; shift += 16) {
    std::fill(count.begin(), count.end(), 0);
    for (std::uint64_t k : keys) ++count[(k >> shift) & 0xffff];
    if (n == 0 || count[(keys[0] >> shift) & 0xffff] == n) continue;  // one digit: nothing moves
    std::size_t total = 0;
    for (auto& c : count) {
      std::size_t here = c;
      c = total;
      total += here;
    }
    for (std::size_t i = 0; i < n; ++i) {
      std::size_t to = count[(keys[i] >> shift) & 0xffff]++;
      keys_out[to] = keys[i];
      payload_out[to] = payload[i];
    }
    keys.swap(keys_out);
    payload.swap(payload_out);
  }
}

}  // namespace

void radix_sort(std::vector<double>& values) {
  std::vector<std::uint64_t> keys(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) keys[i] = ascending_key(values[i]);
  std::vector<double> payload = values;
  radix_pairs(keys, payload);
  values.swap(payload);
}

std::vector<std::size_t> descending_order(const std::vector<double>& values, std::vector<double>* sorted) {
  std::vector<std::uint64_t> keys(values.size());
  std::vector<std::size_t> rows(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    keys[i] = ~ascending_key(values[i]);
    rows[i] = i;
  }
  radix_pairs(keys, rows);
  if (sorted) {
    sorted->resize(keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i) (*sorted)[i] = from_ascending_key(~keys[i]);
  }
  return rows;
}

}  // namespace kohort::stats
