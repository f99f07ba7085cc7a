// Registry histories: events stay inside each person's life and the coverage window, treatments
// follow their diagnosis, disease frequency and onset ages follow the liability model.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include "core/date.h"
#include "core/random.h"
#include "simulate/catalog.h"
#include "simulate/history.h"
#include "simulate_fixture.h"

namespace kohort::test {

TEST(SimulatedHistories, EventsRespectTime) {
  const auto& dir = shared_simulation();
  auto persons = read_tsv(dir / "persons.tsv");
  auto events = read_tsv(dir / "events.tsv");
  auto diagnoses = read_tsv(dir / "truth_diagnoses.tsv");
  ASSERT_EQ(persons[0][0], "person_id");
  ASSERT_EQ(events[0].size(), 7u);
  struct Life {
    Date birth, last;
    Date death;
  };
  const Date start = make_date(2008, 1, 1), end = make_date(2024, 12, 31);
  std::map<std::string, Life> life;
  for (std::size_t r = 1; r < persons.size(); ++r) {
    auto& p = persons[r];
    Date birth = *parse_date(p[2]);
    Date death = p[3] == "NA" ? INT32_MAX : *parse_date(p[3]);
    Date emigration = p[4] == "NA" ? INT32_MAX : *parse_date(p[4]);
    ASSERT_FALSE(p[3] != "NA" && p[4] != "NA") << "both dead and emigrated: " << p[0];
    life[p[0]] = {birth, std::min({end, death, emigration == INT32_MAX ? end : emigration - 1}), death};
  }
  // First record of each disease, and the drugs that treat it.
  std::map<std::pair<std::string, std::string>, Date> first_record;
  for (std::size_t r = 1; r < diagnoses.size(); ++r)
    if (diagnoses[r][3] != "NA") first_record[{diagnoses[r][0], diagnoses[r][1]}] = *parse_date(diagnoses[r][3]);
  std::map<std::string, std::string> treats;
  for (auto& d : simulate::disease_catalog())
    for (auto& t : d.treatments) treats[t.atc] = d.name;

  std::size_t dispensings_checked = 0;
  std::string previous_person;
  Date previous_date = 0;
  std::set<std::string> finished;
  for (std::size_t r = 1; r < events.size(); ++r) {
    auto& e = events[r];
    ASSERT_EQ(e.size(), 7u) << "line " << r + 1;
    const Life& l = life.at(e[0]);
    Date date = *parse_date(e[1]);
    ASSERT_GE(date, std::max(l.birth, start)) << "line " << r + 1;
    ASSERT_LE(date, l.last) << "line " << r + 1;
    if (e[0] != previous_person) {
      ASSERT_TRUE(finished.insert(e[0]).second) << "events of " << e[0] << " are not contiguous";
      previous_person = e[0];
      previous_date = date;
    }
    ASSERT_GE(date, previous_date) << "events not sorted by date at line " << r + 1;
    previous_date = date;
    if (e[2] == "DAR") {
      ASSERT_EQ(date, l.death) << "cause of death not on the death date, line " << r + 1;
    }
    if (e[2] == "KUHR") {
      ASSERT_TRUE(e[1].ends_with("-01") || date == std::max(l.birth, start)) << "KUHR date not at month resolution: " << e[1];
    }
    if (e[2] == "LMR") {
      ASSERT_GT(std::stod(e[6]), 0.0);
      auto t = treats.find(e[4]);
      if (t != treats.end()) {
        auto first = first_record.find({e[0], t->second});
        ASSERT_NE(first, first_record.end()) << e[4] << " dispensed without " << t->second << ", line " << r + 1;
        ASSERT_GE(date, first->second) << e[4] << " dispensed before the diagnosis of " << t->second;
        ++dispensings_checked;
      }
    }
  }
  EXPECT_GT(dispensings_checked, 1000u);
}

TEST(SimulatedHistories, DiseaseCodesAreASmallPartOfEveryonesHistory) {
  auto events = read_tsv(shared_simulation() / "events.tsv");
  std::size_t disease_code_events = 0;
  std::set<std::string> disease_codes;
  for (auto& d : simulate::disease_catalog())
    for (const char* source : {"NPR", "KUHR", "DAR", "KREFT"})
      for (auto& c : d.code_prefixes(source)) disease_codes.insert(c);
  for (std::size_t r = 1; r < events.size(); ++r)
    if (events[r][2] != "LMR" && disease_codes.count(events[r][4])) ++disease_code_events;
  double share = static_cast<double>(disease_code_events) / static_cast<double>(events.size() - 1);
  EXPECT_GT(share, 0.01);
  EXPECT_LT(share, 0.25);
}

// The liability model directly: women born in 1940 with no background death, depression
// (no excess mortality, onset mean 38) should reach its lifetime risk with the model's onset ages.
TEST(SimulatedHistories, PrevalenceAndOnsetAgeFollowTheLiabilityModel) {
  using namespace simulate;
  const auto& catalog = disease_catalog();
  const std::size_t depression = disease_index("depression");
  const Disease& model = catalog[depression];
  const int n = 20000;
  int cases = 0;
  double onset_sum = 0;
  std::vector<double> liability(catalog.size());
  for (int i = 0; i < n; ++i) {
    Person person;
    person.sex = 'F';
    person.birth = make_date(1940, 1, 1) + i % 365;
    Random random(99, 1, static_cast<std::uint64_t>(i));
    for (std::size_t d = 0; d < catalog.size(); ++d) liability[d] = random.normal() * std::sqrt(catalog[d].heritability);
    History h = simulate_history(person, static_cast<std::uint64_t>(i), 99, make_date(2008, 1, 1), make_date(2024, 12, 31), liability);
    for (auto& d : h.diagnoses) {
      if (d.disease != static_cast<int>(depression)) continue;
      ++cases;
      onset_sum += age_years(person.birth, d.onset);
    }
  }
  double risk = model.lifetime_risk_female;
  double threshold = normal_quantile(1 - risk);
  double density = std::exp(-threshold * threshold / 2) / std::sqrt(2 * M_PI);
  double excess = density / risk - threshold;  // E[liability - threshold | liability > threshold]
  double expected_onset = model.onset_mean - model.onset_shift_per_sd * excess;
  double share = cases / static_cast<double>(n);
  double se = std::sqrt(risk * (1 - risk) / n);
  std::printf("depression: share %.4f (model %.4f), mean onset %.2f (model %.2f)\n", share, risk, onset_sum / cases, expected_onset);
  // Deaths from other diseases before onset remove a few cases, the onset floor moves a few
  // onsets later: allow for both beyond sampling error.
  EXPECT_NEAR(share, risk * 0.99, 4 * se + 0.004);
  EXPECT_NEAR(onset_sum / cases, expected_onset, 1.0);
}

}  // namespace kohort::test
