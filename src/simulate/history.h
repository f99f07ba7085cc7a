#pragma once
// Registry histories: for one person, the diseases their liabilities bring (with onset ages),
// the registry events those produce over time (first diagnosis, repeat contacts, procedures,
// dispensings, cancer registration, death), background healthcare use, childhood and influenza
// vaccinations, and the second-line diabetes treatment choice with its planted effect on heart failure.
#include <cstdint>
#include <string>
#include <vector>

#include "simulate/population.h"

namespace kohort::simulate {

struct Event {
  Date date;
  const char* source;
  const char* code_system;
  const char* code;
  const char* role;  // "NA" when the registry has no role for the code
  double value;      // NaN when absent
  int disease;       // simulated disease the event belongs to, -1 for background
};

struct Diagnosis {
  int disease;
  Date onset;
  Date first_record;  // kNoDate when never recorded in the window
};

// The second-line diabetes treatment decision, with both potential heart-failure onsets.
struct TrialRecord {
  Date initiation = kNoDate;
  bool sglt2 = false;  // else DPP-4 inhibitor
  bool prior_heart_failure = false;
  Date heart_failure_if_sglt2 = kNoDate;
  Date heart_failure_if_dpp4 = kNoDate;
};

struct History {
  Date death = kNoDate;       // observed death (NA when emigrated first or after the window)
  Date emigration = kNoDate;
  std::vector<Event> events;  // sorted by date
  std::vector<Diagnosis> diagnoses;
  TrialRecord trial;
  bool influenza_vaccinated_any = false;
};

// Parameters of the planted effects, reported in truth.json.
inline constexpr double kSglt2HeartFailureHazardRatio = 0.7;
inline constexpr double kHeartFailureBaseRatePerYear = 0.025;
inline constexpr double kVaccineHazardRatio = 0.6;
inline constexpr int kSglt2AvailableYear = 2014;

// `genetic_liability[d]` is the person's genetic liability for disease d (drawn for people who
// are not genotyped).
History simulate_history(const Person& person, std::uint64_t index, std::uint64_t seed, Date coverage_start,
                         Date coverage_end, const std::vector<double>& genetic_liability);

}  // namespace kohort::simulate
