#pragma once
// Simulated persons: birth, sex, ancestry, county, death and emigration over the registry
// coverage window, and who takes part in the biobank (is genotyped), with some first-degree
// relatives among the participants.
#include <cstdint>
#include <string>
#include <vector>

#include "core/date.h"

namespace kohort::simulate {

inline constexpr Date kNoDate = INT32_MAX;

struct Person {
  Date birth = 0;
  Date death = kNoDate;       // background death; diseases may bring it earlier later on
  Date emigration = kNoDate;
  char sex = 'F';
  std::uint8_t ancestry = 0;  // 0, 1, 2
  std::uint8_t county = 0;    // index into counties()
  std::int32_t genotype_index = -1;  // position in the .fam, -1 when not genotyped
};

// A pair of genotyped first-degree relatives (indices into Population::persons).
struct RelativePair {
  std::uint32_t first;
  std::uint32_t second;
  bool parent_offspring;  // else full siblings; `first` is the parent
};

struct Population {
  std::vector<Person> persons;
  std::vector<std::uint32_t> genotyped;  // person indices, in .fam order
  std::vector<RelativePair> relatives;
  Date coverage_start;
  Date coverage_end;
};

struct PopulationOptions {
  std::uint64_t persons;
  std::uint64_t genotyped;
  std::uint64_t seed;
  Date coverage_start;
  Date coverage_end;
};

Population simulate_population(const PopulationOptions& options);

// The stable pseudonym of person `index` for this seed: 16 hex digits, unique per index.
std::string person_id(std::uint64_t seed, std::uint64_t index);

// Background mortality (Gompertz) hazard per year at `age` for `sex`.
double background_mortality(double age, char sex);

}  // namespace kohort::simulate
