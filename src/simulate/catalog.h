#pragma once
// The simulated world's fixed parameters: diseases (liability model, onset ages, the registry
// codes a case produces, treatments, excess mortality) and background healthcare use. Values are
// plausible for Norway, chosen for realism of shape rather than exact epidemiology.
#include <string>
#include <vector>

namespace kohort::simulate {

// A code a registry writes, with its registry and code system.
struct RegistryCode {
  const char* source;       // NPR, KUHR, LMR, DAR, KREFT, SYSVAK, MSIS
  const char* code_system;  // ICD10, ICPC2, ATC, NCSP
  const char* code;         // upper case, no dots
};

// A drug started at diagnosis and dispensed every ~90 days while in use.
struct Treatment {
  const char* atc;
  double probability;     // of being started after diagnosis
  double ddd_per_dispensing;
  double stop_per_year;   // discontinuation hazard
};

struct Disease {
  const char* name;   // short identifier used in truth files
  const char* label;  // human-readable
  char sex;           // 'M', 'F' or 0 for both
  double lifetime_risk_male;
  double lifetime_risk_female;
  double heritability;      // on the liability scale
  double onset_mean;        // years, at the liability threshold
  double onset_sd;
  double onset_shift_per_sd;  // years earlier per SD of liability above the threshold
  double onset_min;
  double ancestry_shift[3];   // liability shift per ancestry group
  std::vector<RegistryCode> diagnosis;   // codes written at the first contact (first is the main one)
  std::vector<RegistryCode> follow_up;   // codes of repeat contacts
  double follow_up_per_year;
  std::vector<RegistryCode> procedures;  // NCSP codes done at diagnosis, each with probability 0.4
  std::vector<Treatment> treatments;
  const char* death_code;       // DAR underlying cause when the disease kills
  double excess_death_per_year;
  double contributing_death;    // probability of appearing as a contributing cause at any death
  std::vector<std::string> code_prefixes(const char* source) const;
};

const std::vector<Disease>& disease_catalog();
// Index of a disease by name; throws kohort::Error when absent.
std::size_t disease_index(const std::string& name);

// Background use of the healthcare system: codes unrelated to any simulated disease.
struct BackgroundCode {
  RegistryCode code;
  double weight;
};
const std::vector<BackgroundCode>& background_primary_care();  // KUHR, ICPC-2
const std::vector<BackgroundCode>& background_hospital();      // NPR main diagnoses, ICD-10
const std::vector<BackgroundCode>& background_hospital_secondary();
const std::vector<BackgroundCode>& background_drugs();         // LMR, short courses
const std::vector<BackgroundCode>& background_death();         // DAR underlying causes

// Norwegian counties (2024 structure): code, share of the population, and the share of each of
// the three simulated ancestry groups living there.
struct County {
  const char* code;
  double share[3];
};
const std::vector<County>& counties();

// Shares of the three ancestry groups in the population, and their drift from the ancestral
// population (Balding-Nichols F).
inline constexpr double kAncestryShare[3] = {0.90, 0.06, 0.04};
inline constexpr double kAncestryDrift[3] = {0.005, 0.02, 0.06};

}  // namespace kohort::simulate
