#include "simulate/history.h"

#include <algorithm>
#include <cstring>
#include <cmath>
#include <limits>

#include "core/random.h"
#include "simulate/catalog.h"
#include "simulate/streams.h"

namespace kohort::simulate {
namespace {

constexpr double kNoValue = std::numeric_limits<double>::quiet_NaN();
constexpr double kDaysPerYear = 365.25;

Date month_start(Date date) {
  int y;
  unsigned m, d;
  civil_from_date(date, y, m, d);
  return make_date(y, m, 1);
}

const RegistryCode& pick_weighted(Random& random, const std::vector<BackgroundCode>& codes) {
  double total = 0;
  for (auto& c : codes) total += c.weight;
  double u = random.uniform() * total;
  for (auto& c : codes) {
    u -= c.weight;
    if (u < 0) return c.code;
  }
  return codes.back().code;
}

// Collects one person's events, keeping only those inside the observed follow-up.
class EventSink {
 public:
  EventSink(std::vector<Event>& events, Date first, Date last) : events_(events), first_(first), last_(last) {}

  // Writes a code on `date`; KUHR codes are written at month resolution as its extracts are.
  bool add(Date date, const RegistryCode& code, const char* role, double value, int disease) {
    if (date < first_ || date > last_) return false;
    Date written = std::strcmp(code.source, "KUHR") == 0 ? std::max(month_start(date), first_) : date;
    events_.push_back({written, code.source, code.code_system, code.code, role, value, disease});
    return true;
  }
  Date last() const { return last_; }
  Date first() const { return first_; }

 private:
  std::vector<Event>& events_;
  Date first_, last_;
};

const char* npr_role(const RegistryCode& code, bool main) {
  if (std::strcmp(code.source, "NPR") == 0 && std::strcmp(code.code_system, "ICD10") == 0) return main ? "main" : "secondary";
  return "NA";
}

// Dispensings every ~90 days from `start` until discontinuation or the end of follow-up.
void dispense(EventSink& sink, Random& random, const char* atc, double ddd, Date start, Date stop, int disease) {
  Date date = start;
  while (date <= stop && date <= sink.last()) {
    sink.add(date, RegistryCode{"LMR", "ATC", atc}, "NA", ddd, disease);
    date += static_cast<Date>(ddd * (0.85 + 0.3 * random.uniform()));
  }
}

Date years_after(Date date, double years) { return date + static_cast<Date>(std::floor(years * kDaysPerYear)); }

}  // namespace

History simulate_history(const Person& person, std::uint64_t index, std::uint64_t seed, Date coverage_start,
                         Date coverage_end, const std::vector<double>& genetic_liability) {
  Random random(seed, kStreamHistory, index);
  History history;
  const auto& diseases = disease_catalog();
  const std::size_t nd = diseases.size();

  // --- Onsets from the liability-threshold model.
  std::vector<Date> onset(nd, kNoDate);
  for (std::size_t d = 0; d < nd; ++d) {
    const Disease& disease = diseases[d];
    double environment = random.normal() * std::sqrt(1 - disease.heritability);
    double risk = person.sex == 'M' ? disease.lifetime_risk_male : disease.lifetime_risk_female;
    double z = random.normal();
    if (disease.sex && disease.sex != person.sex) continue;
    if (risk <= 0) continue;
    double liability = genetic_liability[d] + environment + disease.ancestry_shift[person.ancestry];
    double threshold = normal_quantile(1 - risk);
    if (liability <= threshold) continue;
    double age = disease.onset_mean - disease.onset_shift_per_sd * (liability - threshold) + disease.onset_sd * z;
    age = std::max(age, disease.onset_min + random.uniform());
    onset[d] = years_after(person.birth, age);
  }

  // --- Death: background, then excess mortality of each disease from its onset.
  Date death = person.death;
  int death_cause = -1;
  auto apply_mortality = [&](std::size_t d) {
    if (onset[d] == kNoDate || onset[d] >= death || diseases[d].excess_death_per_year <= 0) return;
    Date disease_death = years_after(onset[d], random.exponential(diseases[d].excess_death_per_year)) + 1;
    if (disease_death < death) {
      death = disease_death;
      death_cause = static_cast<int>(d);
    }
  };

  // --- Type 2 diabetes treatment: metformin, then a second-line drug chosen with confounding
  // by indication; after initiation, heart failure follows a proportional-hazards model.
  const std::size_t t2d = disease_index("t2d"), hf = disease_index("hf"), chd = disease_index("chd"),
                    af = disease_index("af");
  Date metformin_start = kNoDate, second_line = kNoDate;
  const char* second_line_atc = nullptr;
  double draw_metformin = random.uniform(), draw_second = random.exponential(1.0), draw_choice = random.uniform();
  double draw_hf = random.exponential(1.0);
  if (onset[t2d] != kNoDate && draw_metformin < diseases[t2d].treatments[0].probability) {
    metformin_start = onset[t2d] + static_cast<Date>(30 * random.uniform());
    second_line = years_after(std::max(metformin_start, coverage_start), draw_second * 5.0);
    Date available = make_date(kSglt2AvailableYear, 1, 1);
    if (second_line < available) {
      second_line_atc = "A10BB12";  // a sulfonylurea before SGLT2 inhibitors were in use
    } else if (second_line <= coverage_end && second_line < death) {
      double age = age_years(person.birth, second_line);
      bool prior_chd = onset[chd] < second_line, prior_af = onset[af] < second_line;
      double logit = -0.7 + 1.4 * prior_chd + 1.0 * prior_af + 0.02 * (age - 65) + 0.2 * (person.sex == 'M');
      bool sglt2 = draw_choice < 1 / (1 + std::exp(-logit));
      second_line_atc = sglt2 ? "A10BK01" : "A10BH01";
      TrialRecord& trial = history.trial;
      trial.initiation = second_line;
      trial.sglt2 = sglt2;
      trial.prior_heart_failure = onset[hf] < second_line;
      if (!trial.prior_heart_failure) {
        double rate = kHeartFailureBaseRatePerYear *
                      std::exp(0.05 * (age - 65) + 0.9 * prior_chd + 0.7 * prior_af + 0.2 * (person.sex == 'M'));
        trial.heart_failure_if_dpp4 = years_after(second_line, draw_hf / rate) + 1;
        trial.heart_failure_if_sglt2 = years_after(second_line, draw_hf / (rate * kSglt2HeartFailureHazardRatio)) + 1;
        onset[hf] = sglt2 ? trial.heart_failure_if_sglt2 : trial.heart_failure_if_dpp4;
      }
    }
  }

  std::vector<std::size_t> order(nd);
  for (std::size_t d = 0; d < nd; ++d) order[d] = d;
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return onset[a] < onset[b]; });
  for (auto d : order) apply_mortality(d);

  // Emigration only counts while alive; death is observed only if before emigration and the window's end.
  Date emigration = person.emigration < death ? person.emigration : kNoDate;
  Date observed_death = (death <= coverage_end && emigration == kNoDate) ? death : kNoDate;
  history.death = observed_death;
  history.emigration = emigration <= coverage_end ? emigration : kNoDate;
  Date entry = std::max(person.birth, coverage_start);
  Date last = std::min({coverage_end, observed_death, history.emigration == kNoDate ? coverage_end : history.emigration - 1});
  EventSink sink(history.events, entry, last);
  const double age_at_entry = age_years(person.birth, entry);

  // --- Disease events.
  for (std::size_t d = 0; d < nd; ++d) {
    if (onset[d] == kNoDate || onset[d] > last) continue;
    const Disease& disease = diseases[d];
    int tag = static_cast<int>(d);
    // Prevalent cases reach the registries at their first contact in the window.
    Date diagnosed = onset[d] >= entry ? onset[d] : years_after(entry, random.exponential(1.0 / 0.7));
    if (diagnosed <= last) {
      sink.add(diagnosed, disease.diagnosis[0], npr_role(disease.diagnosis[0], true), kNoValue, tag);
      for (std::size_t c = 1; c < disease.diagnosis.size(); ++c) {
        if (random.bernoulli(0.6)) {
          sink.add(diagnosed + static_cast<Date>(60 * random.uniform()), disease.diagnosis[c], npr_role(disease.diagnosis[c], true), kNoValue, tag);
        }
      }
      if (std::strcmp(disease.diagnosis[0].source, "NPR") == 0 || std::strcmp(disease.diagnosis[0].source, "KREFT") == 0) {
        for (auto& procedure : disease.procedures)
          if (random.bernoulli(0.4)) sink.add(diagnosed, procedure, "NA", kNoValue, tag);
      }
      // Repeat contacts.
      double t = random.exponential(disease.follow_up_per_year);
      while (true) {
        Date date = years_after(diagnosed, t);
        if (date > last) break;
        const RegistryCode& code = disease.follow_up[random.below(disease.follow_up.size())];
        bool main = random.bernoulli(0.5);
        if (!main && std::strcmp(code.source, "NPR") == 0) {
          // A secondary diagnosis rides on an episode for something else.
          const RegistryCode& other = pick_weighted(random, background_hospital());
          sink.add(date, other, "main", kNoValue, -1);
        }
        sink.add(date, code, npr_role(code, main || std::strcmp(code.source, "NPR") != 0), kNoValue, tag);
        t += random.exponential(disease.follow_up_per_year);
      }
      // Treatments.
      for (std::size_t k = 0; k < disease.treatments.size(); ++k) {
        const Treatment& treatment = disease.treatments[k];
        Date start;
        if (d == t2d && k == 0) {
          if (metformin_start == kNoDate) continue;
          start = std::max(metformin_start, diagnosed);
        } else {
          if (!random.bernoulli(treatment.probability)) continue;
          start = diagnosed + static_cast<Date>(30 * random.uniform());
        }
        Date stop = years_after(start, random.exponential(treatment.stop_per_year));
        dispense(sink, random, treatment.atc, treatment.ddd_per_dispensing, start, stop, tag);
      }
      if (d == t2d && second_line_atc) {
        Date start = std::max(second_line, diagnosed);
        Date stop = years_after(start, random.exponential(0.15));
        Date switch_date = years_after(start, random.exponential(0.05));
        const char* other = std::strcmp(second_line_atc, "A10BK01") == 0 ? "A10BH01"
                            : std::strcmp(second_line_atc, "A10BH01") == 0 ? "A10BK01"
                                                                           : nullptr;
        if (other && switch_date < stop) {
          dispense(sink, random, second_line_atc, 98, start, switch_date - 1, tag);
          dispense(sink, random, other, 98, switch_date, stop, tag);
        } else {
          dispense(sink, random, second_line_atc, 98, start, stop, tag);
        }
      }
    }
  }

  // --- Death registration.
  if (observed_death != kNoDate) {
    const RegistryCode* underlying;
    RegistryCode disease_death;
    if (death_cause >= 0) {
      disease_death = RegistryCode{"DAR", "ICD10", diseases[static_cast<std::size_t>(death_cause)].death_code};
      underlying = &disease_death;
    } else {
      underlying = &pick_weighted(random, background_death());
    }
    sink.add(observed_death, *underlying, "underlying", kNoValue, death_cause);
    for (std::size_t d = 0; d < nd; ++d) {
      if (static_cast<int>(d) == death_cause || onset[d] > observed_death || !diseases[d].death_code) continue;
      if (random.bernoulli(diseases[d].contributing_death))
        sink.add(observed_death, RegistryCode{"DAR", "ICD10", diseases[d].death_code}, "contributing", kNoValue, static_cast<int>(d));
    }
    if (random.bernoulli(0.4)) {
      const RegistryCode& other = pick_weighted(random, background_death());
      if (underlying->code != other.code) sink.add(observed_death, other, "contributing", kNoValue, -1);
    }
  }

  // --- Background healthcare use, as Poisson processes over the follow-up.
  const double female = person.sex == 'F' ? 1.0 : 0.0;
  auto poisson_process = [&](double rate_at_entry, double rate_per_year_of_age, auto&& emit) {
    double t = 0;
    while (true) {
      double age = age_at_entry + t;
      double rate = std::max(0.05, rate_at_entry + rate_per_year_of_age * age);
      t += random.exponential(rate);
      Date date = years_after(entry, t);
      if (date > last) break;
      emit(date, age_at_entry + t);
    }
  };
  poisson_process(1.2 + 0.4 * female, 0.035, [&](Date date, double) {
    sink.add(date, pick_weighted(random, background_primary_care()), "NA", kNoValue, -1);
  });
  poisson_process(0.03, 0.003, [&](Date date, double) {
    const RegistryCode& main = pick_weighted(random, background_hospital());
    sink.add(date, main, "main", kNoValue, -1);
    if (random.bernoulli(0.35)) sink.add(date, pick_weighted(random, background_hospital_secondary()), "secondary", kNoValue, -1);
    if (std::strcmp(main.code, "M171") == 0 && random.bernoulli(0.4)) sink.add(date, RegistryCode{"NPR", "NCSP", "NGB20"}, "NA", kNoValue, -1);
  });
  if (female > 0) {
    poisson_process(0.06, 0.0, [&](Date date, double age) {
      if (age >= 20 && age < 42) {
        sink.add(date, RegistryCode{"NPR", "ICD10", "O800"}, "main", kNoValue, -1);
      }
    });
  }
  poisson_process(0.5, 0.012, [&](Date date, double) {
    const RegistryCode& drug = pick_weighted(random, background_drugs());
    sink.add(date, drug, "NA", 5.0 + std::floor(25 * random.uniform()), -1);
  });
  // Long-term background drugs: antihypertensives with age, levothyroxine mostly in women.
  {
    double age_at_last = age_years(person.birth, last);
    double p_hypertension = std::clamp((age_at_last - 35) / 100.0, 0.0, 0.45);
    if (random.bernoulli(p_hypertension)) {
      Date start = std::max(entry, years_after(person.birth, 35 + (age_at_last - 35) * random.uniform()));
      dispense(sink, random, "C09CA01", 98, start, last, -1);
    }
    if (random.bernoulli(female > 0 ? 0.06 : 0.01) && age_at_last > 20) {
      Date start = std::max(entry, years_after(person.birth, 20 + (age_at_last - 20) * random.uniform()));
      dispense(sink, random, "H03AA01", 100, start, last, -1);
    }
  }

  // --- Childhood vaccinations (programme of the 2010s) for children in the window.
  for (double months : {3.0, 5.0, 12.0}) {
    Date date = years_after(person.birth, months / 12.0) + static_cast<Date>(20 * random.uniform());
    if (random.bernoulli(0.96)) {
      sink.add(date, RegistryCode{"SYSVAK", "ATC", "J07CA09"}, "NA", kNoValue, -1);
      sink.add(date, RegistryCode{"SYSVAK", "ATC", "J07AL02"}, "NA", kNoValue, -1);
    }
  }
  for (double years : {1.25, 11.0}) {
    if (random.bernoulli(0.93)) sink.add(years_after(person.birth, years) + static_cast<Date>(30 * random.uniform()),
                                         RegistryCode{"SYSVAK", "ATC", "J07BD52"}, "NA", kNoValue, -1);
  }

  // --- Influenza seasons: vaccination (older and chronically ill people more often) and
  // laboratory-confirmed influenza, reduced from 14 days after vaccination (planted effect).
  int first_year = year_of(coverage_start), last_year = year_of(coverage_end);
  for (int year = first_year; year <= last_year; ++year) {
    Date season_start = make_date(year, 10, 1);
    Date season_end = make_date(year + 1, 4, 30);
    double age = age_years(person.birth, season_start);
    bool risk_group = onset[chd] < season_start || onset[hf] < season_start || onset[t2d] < season_start ||
                      onset[disease_index("copd")] < season_start || onset[disease_index("asthma")] < season_start;
    double p_vaccine = (age >= 65 ? 0.55 : 0.04) + (risk_group ? 0.25 : 0.0);
    double u_vaccine = random.uniform();
    Date vaccination = season_start + static_cast<Date>(75 * random.uniform());
    bool vaccinated = u_vaccine < p_vaccine && vaccination >= entry && vaccination <= last;
    if (vaccinated) {
      sink.add(vaccination, RegistryCode{"SYSVAK", "ATC", "J07BB02"}, "NA", kNoValue, -1);
      history.influenza_vaccinated_any = true;
    }
    double attack = 0.006 * (age >= 65 ? 2.5 : 1.0) * (risk_group ? 1.8 : 1.0) * (age < 5 ? 2.0 : 1.0);
    double u_infection = random.uniform();
    Date infection = make_date(year + 1, 2, 1) + static_cast<Date>(35 * random.normal());
    infection = std::clamp(infection, season_start, season_end);
    bool protected_now = vaccinated && infection >= vaccination + 14;
    double u_protect = random.uniform();
    if (u_infection < attack && (!protected_now || u_protect < kVaccineHazardRatio)) {
      if (sink.add(infection, RegistryCode{"MSIS", "ICD10", "J10"}, "NA", kNoValue, -1) &&
          random.bernoulli(age >= 65 ? 0.25 : 0.08)) {
        sink.add(infection + 2, RegistryCode{"NPR", "ICD10", "J100"}, "main", kNoValue, -1);
      }
    }
  }

  std::stable_sort(history.events.begin(), history.events.end(), [](const Event& a, const Event& b) { return a.date < b.date; });

  for (std::size_t d = 0; d < nd; ++d) {
    if (onset[d] == kNoDate || onset[d] > last) continue;
    Diagnosis diagnosis{static_cast<int>(d), onset[d], kNoDate};
    for (auto& e : history.events) {
      if (e.disease == static_cast<int>(d)) {
        diagnosis.first_record = e.date;
        break;
      }
    }
    history.diagnoses.push_back(diagnosis);
  }
  return history;
}

}  // namespace kohort::simulate
