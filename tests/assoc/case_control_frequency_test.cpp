// CaseControlCounter: the ALT frequency among cases and among controls, from .bed rows and from
// dosages, against counts made one sample at a time.
#include "assoc/case_control_frequency.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace kohort::assoc {
namespace {

// A .bed row of `codes` (00 hom ALT, 01 missing, 10 het, 11 hom REF), 4 samples a byte.
std::vector<std::uint8_t> row_of(const std::vector<unsigned>& codes) {
  std::vector<std::uint8_t> row((codes.size() + 3) / 4, 0);
  for (std::size_t s = 0; s < codes.size(); ++s) row[s / 4] = static_cast<std::uint8_t>(row[s / 4] | (codes[s] << (2 * (s % 4))));
  return row;
}

double alt_count(unsigned code) { return code == 0 ? 2.0 : code == 2 ? 1.0 : 0.0; }

// 101 samples in the file, 90 of them selected in a shuffled order; of those some are outside
// the phenotype's samples, some males counting one copy, and 3% of calls are missing.
TEST(CaseControlFrequency, RowsAndDosagesMatchSampleBySampleCounts) {
  std::mt19937_64 random(5);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  constexpr std::size_t kFileSamples = 101, kSelected = 90;
  std::vector<std::uint32_t> positions(kFileSamples);
  for (std::uint32_t i = 0; i < kFileSamples; ++i) positions[i] = i;
  std::shuffle(positions.begin(), positions.end(), random);
  positions.resize(kSelected);
  for (bool halve : {false, true}) {
    std::vector<std::uint8_t> copies(kSelected);
    std::vector<bool> is_case(kSelected);
    for (std::size_t i = 0; i < kSelected; ++i) {
      const double u = unit(random);
      copies[i] = u < 0.1 ? 0 : (halve && u < 0.5) ? 1 : 2;
      is_case[i] = unit(random) < 0.3;
    }
    const CaseControlCounter rows = CaseControlCounter::for_rows(copies, is_case, positions, kFileSamples);
    const CaseControlCounter doses = CaseControlCounter::for_dosages(copies, is_case);
    for (int variant = 0; variant < 50; ++variant) {
      const double frequency = unit(random);
      std::vector<unsigned> codes(kFileSamples);
      for (auto& code : codes) {
        const int count = (unit(random) < frequency) + (unit(random) < frequency);
        code = unit(random) < 0.03 ? 1u : count == 2 ? 0u : count == 1 ? 2u : 3u;
      }
      double alt[2] = {0, 0}, chromosomes[2] = {0, 0};
      std::vector<double> dosages(kSelected);
      for (std::size_t i = 0; i < kSelected; ++i) {
        const unsigned code = codes[positions[i]];
        dosages[i] = code == 1 ? NAN : alt_count(code);
        if (copies[i] == 0 || code == 1) continue;
        alt[is_case[i]] += alt_count(code) * copies[i] / 2;
        chromosomes[is_case[i]] += copies[i];
      }
      const std::vector<std::uint8_t> row = row_of(codes);
      const CaseControlFrequency from_row = rows.from_row(row.data());
      const CaseControlFrequency from_dosages = doses.from_dosages(dosages.data());
      EXPECT_DOUBLE_EQ(from_row.cases, alt[1] / chromosomes[1]);
      EXPECT_DOUBLE_EQ(from_row.controls, alt[0] / chromosomes[0]);
      // Counts are exact in either path: the same doubles.
      EXPECT_EQ(from_row.cases, from_dosages.cases);
      EXPECT_EQ(from_row.controls, from_dosages.controls);
    }
  }
}

// A group without a call has no frequency; fractional dosages count as they are; bad arguments.
TEST(CaseControlFrequency, NoCallIsNaNAndDosagesAreFractional) {
  const CaseControlCounter counter = CaseControlCounter::for_dosages({2, 2, 1, 0}, {true, false, false, true});
  const CaseControlFrequency none = counter.from_dosages(std::vector<double>{NAN, 0.5, 1.5, 2.0}.data());
  EXPECT_TRUE(std::isnan(none.cases));
  // Controls: 0.5 of 2 copies, and a one-copy male's 1.5 halved, over 3 chromosomes.
  EXPECT_DOUBLE_EQ(none.controls, (0.5 + 0.75) / 3);
  const CaseControlFrequency some = counter.from_dosages(std::vector<double>{1.2, NAN, NAN, 2.0}.data());
  EXPECT_DOUBLE_EQ(some.cases, 0.6);
  EXPECT_TRUE(std::isnan(some.controls));
  EXPECT_THROW(CaseControlCounter::for_dosages({2}, {true, false}), std::invalid_argument);
  EXPECT_THROW(CaseControlCounter::for_rows({2, 2}, {true, false}, {0}, 2), std::invalid_argument);
  // Each counter reads what it was made for.
  const std::uint8_t row = 0;
  EXPECT_THROW(counter.from_row(&row), std::logic_error);
  EXPECT_THROW(CaseControlCounter::for_rows({2}, {true}, {0}, 1).from_dosages(std::vector<double>{1.0}.data()), std::logic_error);
}

}  // namespace
}  // namespace kohort::assoc
