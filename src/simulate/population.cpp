#include "simulate/population.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/random.h"
#include "simulate/catalog.h"
#include "simulate/streams.h"

namespace kohort::simulate {
namespace {

// Population of Norway on 1 January 2008 by 5-year age band (thousands), 0-4 ... 95-99.
constexpr double kAgeBands[20] = {290, 300, 310, 310, 290, 300, 320, 350, 350, 320,
                                  310, 300, 260, 190, 150, 130, 110, 65, 30, 8};
// Share of the people ever present in 2008-2024 who were born in the window (~60,000 births a year).
constexpr double kBornInWindow = 0.15;

// Gompertz parameters: hazard = exp(a + b * age).
constexpr double kGompertzB = 0.092;
double gompertz_a(char sex) { return sex == 'M' ? -10.0 : -10.45; }

template <typename Weights>
std::size_t pick(Random& random, const Weights& weights, std::size_t n) {
  double total = 0;
  for (std::size_t i = 0; i < n; ++i) total += weights[i];
  double u = random.uniform() * total;
  for (std::size_t i = 0; i < n; ++i) {
    u -= weights[i];
    if (u < 0) return i;
  }
  return n - 1;
}

// Age at death given alive at `age0`, by inverting the Gompertz survival function.
double death_age(Random& random, double age0, char sex) {
  double a = std::exp(gompertz_a(sex));
  double e = random.exponential(1.0);
  return std::log(std::exp(kGompertzB * age0) + kGompertzB * e / a) / kGompertzB;
}

}  // namespace

double background_mortality(double age, char sex) { return std::exp(gompertz_a(sex) + kGompertzB * age); }

std::string person_id(std::uint64_t seed, std::uint64_t index) {
  // mix64 is a bijection, so distinct indices give distinct pseudonyms for a seed.
  return fmt::format("{:016x}", mix64(index ^ mix64(seed ^ 0x6b6f686f7274ULL)));
}

Population simulate_population(const PopulationOptions& options) {
  if (options.genotyped > options.persons) {
    throw InputError(fmt::format("--genotyped {} is larger than --persons {}; expected at most the population size",
                                 options.genotyped, options.persons));
  }
  Population pop;
  pop.coverage_start = options.coverage_start;
  pop.coverage_end = options.coverage_end;
  pop.persons.resize(options.persons);
  const auto& county_list = counties();
  const double window_days = options.coverage_end - options.coverage_start + 1;

  for (std::uint64_t i = 0; i < options.persons; ++i) {
    Random random(options.seed, kStreamPerson, i);
    Person& p = pop.persons[i];
    p.sex = random.bernoulli(0.5) ? 'M' : 'F';
    p.ancestry = static_cast<std::uint8_t>(pick(random, kAncestryShare, 3));
    double county_weights[32];
    for (std::size_t c = 0; c < county_list.size(); ++c) county_weights[c] = county_list[c].share[p.ancestry];
    p.county = static_cast<std::uint8_t>(pick(random, county_weights, county_list.size()));

    double entry_age;  // age when the person enters the coverage window
    Date entry;
    if (random.bernoulli(kBornInWindow)) {
      p.birth = options.coverage_start + static_cast<Date>(random.uniform() * window_days);
      entry = p.birth;
      entry_age = 0;
    } else {
      std::size_t band = pick(random, kAgeBands, 20);
      entry_age = 5.0 * band + 5.0 * random.uniform();
      p.birth = options.coverage_start - 1 - static_cast<Date>(entry_age * 365.25);
      entry = options.coverage_start;
    }
    double death = death_age(random, entry_age, p.sex);
    double death_date = p.birth + death * 365.25;
    if (death_date < entry + 1) death_date = entry + 1;
    if (death_date <= options.coverage_end) p.death = static_cast<Date>(death_date);
    // Emigration: higher among young adults; a simple two-level hazard from entry.
    double emigration_rate = (entry_age >= 18 && entry_age < 40) ? 0.006 : 0.002;
    double emigration = entry + random.exponential(emigration_rate) * 365.25;
    if (emigration < std::min<double>(p.death, options.coverage_end + 1.0)) p.emigration = static_cast<Date>(emigration);
  }

  // Biobank participants: adults at the start of the window, alive then, chosen at random
  // (everyone when there are too few adults).
  Random select(options.seed, kStreamPerson, options.persons + 1);
  std::vector<std::uint32_t> eligible, others;
  for (std::uint32_t i = 0; i < options.persons; ++i) {
    bool adult = pop.persons[i].birth <= options.coverage_start - static_cast<Date>(18 * 365.25);
    (adult ? eligible : others).push_back(i);
  }
  auto shuffle = [&](std::vector<std::uint32_t>& v) {
    for (std::size_t k = v.size(); k > 1; --k) std::swap(v[k - 1], v[select.below(k)]);
  };
  shuffle(eligible);
  shuffle(others);
  std::vector<std::uint32_t> chosen(eligible.begin(), eligible.begin() + std::min<std::size_t>(eligible.size(), options.genotyped));
  for (std::size_t k = 0; chosen.size() < options.genotyped; ++k) chosen.push_back(others[k]);
  std::sort(chosen.begin(), chosen.end());

  // First-degree relatives: about 1% of participants in parent-offspring pairs and 1% in sibling
  // pairs. A relative takes the birth date, ancestry and county that fit the relationship.
  std::size_t pairs = chosen.size() / 200;
  std::vector<bool> used(options.persons, false);
  for (std::size_t k = 0; k < 2 * pairs && chosen.size() >= 4; ++k) {
    std::uint32_t a = chosen[select.below(chosen.size())];
    std::uint32_t b = chosen[select.below(chosen.size())];
    if (a == b || used[a] || used[b]) continue;
    used[a] = used[b] = true;
    bool parent_offspring = k % 2 == 0 && pop.persons[b].birth >= make_date(1955, 1, 1);
    Person& first = pop.persons[a];
    Person& second = pop.persons[b];
    second.ancestry = first.ancestry;
    second.county = first.county;
    if (parent_offspring) {
      // The parent is 20-40 years older; move the parent's birth if needed (keeping them alive at entry).
      Date offset = static_cast<Date>((20 + 20 * select.uniform()) * 365.25);
      first.birth = second.birth - offset;
      if (first.death != kNoDate && first.death <= std::max(first.birth, options.coverage_start)) first.death = kNoDate;
    } else {
      Date gap = static_cast<Date>((select.uniform() * 8 - 4) * 365.25);
      second.birth = std::min<Date>(first.birth + gap, options.coverage_start - static_cast<Date>(18 * 365.25));
      if (second.death != kNoDate && second.death <= options.coverage_start) second.death = kNoDate;
    }
    if (first.emigration != kNoDate && first.emigration <= first.birth) first.emigration = kNoDate;
    if (second.emigration != kNoDate && second.emigration <= second.birth) second.emigration = kNoDate;
    pop.relatives.push_back({a, b, parent_offspring});
  }
  for (std::size_t k = 0; k < chosen.size(); ++k) pop.persons[chosen[k]].genotype_index = static_cast<std::int32_t>(k);
  pop.genotyped = std::move(chosen);
  return pop;
}

}  // namespace kohort::simulate
