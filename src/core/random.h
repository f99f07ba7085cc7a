#pragma once
// Deterministic random numbers. Every unit of work (a person, a variant block, a chromosome)
// draws from its own stream keyed by (seed, stream, index), so results do not depend on how
// work is split across threads. Distributions are written here, not taken from <random>,
// so the same seed gives the same numbers with any standard library.
#include <cmath>
#include <cstdint>

namespace kohort {

// SplitMix64 finaliser: a bijective 64-bit mix, also used to derive stream keys.
constexpr std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// xoshiro256** generator with a few distributions.
class Random {
 public:
  Random(std::uint64_t seed, std::uint64_t stream, std::uint64_t index = 0) {
    std::uint64_t key = mix64(mix64(seed) ^ mix64(stream * 0x632be59bd9b4e019ULL + 1) ^ mix64(index + 0x12345));
    for (auto& s : state_) {
      key = mix64(key);
      s = key;
    }
  }

  std::uint64_t next() {
    std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  // Uniform on [0, 1).
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // Uniform on (0, 1), safe for log().
  double uniform_open() { return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53; }
  // Uniform integer in [0, n).
  std::uint64_t below(std::uint64_t n) { return static_cast<std::uint64_t>(uniform() * static_cast<double>(n)); }
  bool bernoulli(double p) { return uniform() < p; }
  double exponential(double rate) { return -std::log(uniform_open()) / rate; }
  double normal();
  double normal(double mean, double sd) { return mean + sd * normal(); }
  // Poisson by inversion for small means, normal approximation above 50.
  std::uint32_t poisson(double mean);
  // Gamma(shape, 1) by Marsaglia and Tsang.
  double gamma(double shape);
  double beta(double a, double b) {
    double x = gamma(a);
    return x / (x + gamma(b));
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t state_[4];
  double spare_ = 0;
  bool has_spare_ = false;
};

// Standard normal quantile and distribution function (double precision, for simulation).
double normal_quantile(double p);
double normal_cdf(double x);

}  // namespace kohort
