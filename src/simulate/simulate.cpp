#include "simulate/simulate.h"

#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/log.h"
#include "core/output.h"
#include "core/parallel.h"
#include "core/random.h"
#include "simulate/catalog.h"
#include "simulate/genome.h"
#include "simulate/history.h"
#include "simulate/population.h"
#include "simulate/streams.h"

namespace kohort::simulate {
namespace {

constexpr const char* kSources[7] = {"NPR", "KUHR", "LMR", "DAR", "KREFT", "SYSVAK", "MSIS"};
constexpr std::size_t kBatch = 16384;  // persons per batch; chunks of 1024 within it
constexpr std::size_t kChunk = 1024;

std::size_t source_index(const char* source) {
  for (std::size_t s = 0; s < 7; ++s)
    if (std::strcmp(kSources[s], source) == 0) return s;
  return 0;
}

void append_date(std::string& out, Date date) {
  if (date == kNoDate) {
    out += "NA";
    return;
  }
  char buffer[10];
  format_date(date, buffer);
  out.append(buffer, 10);
}

// Text written by one chunk of persons, appended to the files in chunk order.
struct ChunkOutput {
  std::string persons, events, diagnoses, trial;
  SimulationSummary counts;
};

nlohmann::json truth_json(const SimulationOptions& options, const GenomeResult& genome) {
  using nlohmann::json;
  json truth;
  truth["seed"] = options.seed;
  truth["coverage"] = {{"start", format_date(options.coverage_start)}, {"end", format_date(options.coverage_end)}};
  truth["ancestry_groups"] = json::array();
  for (int a = 0; a < 3; ++a)
    truth["ancestry_groups"].push_back({{"group", a + 1}, {"share", kAncestryShare[a]}, {"drift_fst", kAncestryDrift[a]}});
  truth["liability_model"] =
      "liability = genetic + ancestry shift + environment (variance 1 - heritability); a person with liability above "
      "the threshold for their sex's lifetime risk develops the disease at age onset_mean - onset_shift_per_sd * "
      "(liability - threshold) + onset_sd * z (z standard normal), at least onset_min, if alive";
  json diseases = json::array();
  const auto& catalog = disease_catalog();
  for (std::size_t d = 0; d < catalog.size(); ++d) {
    const Disease& disease = catalog[d];
    json codes = json::object();
    for (const char* source : kSources) {
      auto prefixes = disease.code_prefixes(source);
      if (std::strcmp(disease.name, "t2d") == 0 && std::strcmp(source, "LMR") == 0) {
        for (const char* atc : {"A10BB12", "A10BK01", "A10BH01"}) prefixes.emplace_back(atc);
      }
      if (!prefixes.empty()) codes[source] = prefixes;
    }
    json causal = json::array();
    for (auto& c : genome.causal) {
      if (c.disease != d || c.id.empty()) continue;
      causal.push_back({{"id", c.id}, {"chrom", c.chromosome}, {"pos", c.position}, {"effect_allele", c.effect_allele},
                        {"beta", c.beta}, {"alt_frequency", c.alt_frequency}, {"variance_explained", c.variance_explained}});
    }
    json entry = {{"name", disease.name},
                  {"label", disease.label},
                  {"codes", codes},
                  {"heritability", disease.heritability},
                  {"lifetime_risk", {{"male", disease.lifetime_risk_male}, {"female", disease.lifetime_risk_female}}},
                  {"onset", {{"onset_mean", disease.onset_mean}, {"onset_sd", disease.onset_sd},
                             {"onset_shift_per_sd", disease.onset_shift_per_sd}, {"onset_min", disease.onset_min}}},
                  {"ancestry_liability_shift", {disease.ancestry_shift[0], disease.ancestry_shift[1], disease.ancestry_shift[2]}},
                  {"excess_mortality_per_year", disease.excess_death_per_year},
                  {"causal_variants", causal}};
    if (disease.sex) entry["sex"] = std::string(1, disease.sex);
    diseases.push_back(entry);
  }
  truth["diseases"] = diseases;
  truth["trial"] = {
      {"question", "SGLT2 inhibitors (A10BK) vs DPP-4 inhibitors (A10BH) as second-line type 2 diabetes treatment, outcome heart failure (I50)"},
      {"treatment", "A10BK01"},
      {"comparator", "A10BH01"},
      {"outcome", "hf"},
      {"hazard_ratio", kSglt2HeartFailureHazardRatio},
      {"available_from", fmt::format("{}-01-01", kSglt2AvailableYear)},
      {"heart_failure_hazard_per_year",
       fmt::format("{} * exp(0.05 * (age - 65) + 0.9 * prior_chd + 0.7 * prior_af + 0.2 * male) * hazard_ratio^sglt2",
                   kHeartFailureBaseRatePerYear)},
      {"treatment_choice_logit", "-0.7 + 1.4 * prior_chd + 1.0 * prior_af + 0.02 * (age - 65) + 0.2 * male"},
      {"confounders", {"age", "sex", "chd", "af"}},
      {"note", "confounding by indication: prior coronary disease and atrial fibrillation raise both the chance of "
               "SGLT2 inhibitors and the risk of heart failure, so the crude hazard ratio is biased upwards; "
               "truth_trial.tsv has both potential heart-failure dates of every initiator"}};
  truth["vaccine"] = {
      {"vaccine", "J07BB02"},
      {"infection", "J10"},
      {"hazard_ratio", kVaccineHazardRatio},
      {"protection_from_days", 14},
      {"season", "October 1 to April 30"},
      {"note", "older and chronically ill people are vaccinated more often and are infected more often"}};
  return truth;
}

}  // namespace

SimulationSummary run_simulation(const SimulationOptions& options, const std::filesystem::path& out_path) {
  if (options.persons == 0) throw InputError("--persons must be at least 1");
  if (options.genotyped_fraction < 0 || options.genotyped_fraction > 1)
    throw InputError(fmt::format("--genotyped-fraction {} is outside [0, 1]", options.genotyped_fraction));
  if (options.coverage_end < options.coverage_start) throw InputError("the coverage window ends before it starts");

  OutputDirectory out(out_path);
  SimulationSummary summary;
  std::uint64_t genotyped = options.genotyped ? options.genotyped
                                              : static_cast<std::uint64_t>(std::llround(options.genotyped_fraction * options.persons));
  log_info(fmt::format("simulating {} persons ({} genotyped, {} variants), seed {}", options.persons, genotyped,
                       options.variants, options.seed));
  Population population =
      simulate_population({options.persons, genotyped, options.seed, options.coverage_start, options.coverage_end});
  summary.persons = options.persons;
  summary.genotyped = genotyped;
  summary.relative_pairs = population.relatives.size();

  GenomeResult genome;
  const auto& catalog = disease_catalog();
  genome.genetic_liability.assign(catalog.size(), std::vector<double>(population.genotyped.size(), 0.0));
  if (genotyped > 0 && options.variants > 0) {
    genome = simulate_genome(population, {options.variants, options.seed, options.missing_rate}, out);
  }
  summary.variants = genome.variants;
  summary.missing_calls = genome.missing_calls;

  {
    // The causal variants also as a table, for tools that do not read JSON.
    OutputFile causal(out.file("truth_causal_variants.tsv"));
    causal.write("disease\tid\tchrom\tpos\teffect_allele\tbeta\talt_frequency\tvariance_explained\n");
    for (auto& c : genome.causal) {
      if (c.id.empty()) continue;
      causal.write(fmt::format("{}\t{}\t{}\t{}\t{}\t{:.6g}\t{:.6g}\t{:.6g}\n", catalog[c.disease].name, c.id, c.chromosome, c.position,
                               c.effect_allele, c.beta, c.alt_frequency, c.variance_explained));
    }
    causal.commit();
  }
  {
    OutputFile relatives(out.file("truth_relatives.tsv"));
    relatives.write("person_id_1\tperson_id_2\trelationship\tkinship\n");
    for (auto& pair : population.relatives) {
      relatives.write(fmt::format("{}\t{}\t{}\t0.25\n", person_id(options.seed, pair.first), person_id(options.seed, pair.second),
                                  pair.parent_offspring ? "parent-offspring" : "siblings"));
    }
    relatives.commit();
  }

  // Registry histories, in batches of persons; each chunk's text is appended in order.
  int threads = thread_count();
  OutputFile persons_file(out.file("persons.tsv"));
  OutputFile events_file(out.file(options.gzip ? "events.tsv.gz" : "events.tsv"), threads);
  OutputFile diagnoses_file(out.file("truth_diagnoses.tsv"));
  OutputFile trial_file(out.file("truth_trial.tsv"));
  persons_file.write("person_id\tsex\tbirth_date\tdeath_date\temigration_date\tregion\n");
  events_file.write("person_id\tdate\tsource\tcode_system\tcode\trole\tvalue\n");
  diagnoses_file.write("person_id\tdisease\tonset_date\tfirst_record_date\n");
  trial_file.write("person_id\tinitiation_date\tarm\tprior_heart_failure\theart_failure_if_sglt2\theart_failure_if_dpp4\n");

  Progress progress("simulating registry histories", options.persons, "persons");
  std::vector<ChunkOutput> chunks(kBatch / kChunk);
  for (std::uint64_t batch = 0; batch < options.persons; batch += kBatch) {
    std::uint64_t batch_end = std::min<std::uint64_t>(options.persons, batch + kBatch);
    parallel_for(batch_end - batch, kChunk, [&](std::size_t begin, std::size_t end) {
      ChunkOutput& chunk = chunks[begin / kChunk];
      chunk = ChunkOutput{};
      std::vector<double> liability(catalog.size());
      char value[32];
      for (std::size_t offset = begin; offset < end; ++offset) {
        std::uint64_t i = batch + offset;
        const Person& person = population.persons[i];
        if (person.genotype_index >= 0) {
          for (std::size_t d = 0; d < catalog.size(); ++d)
            liability[d] = genome.genetic_liability[d][static_cast<std::size_t>(person.genotype_index)];
        } else {
          Random random(options.seed, kStreamLiability, i);
          for (std::size_t d = 0; d < catalog.size(); ++d) liability[d] = random.normal() * std::sqrt(catalog[d].heritability);
        }
        History history = simulate_history(person, i, options.seed, options.coverage_start, options.coverage_end, liability);
        std::string id = person_id(options.seed, i);

        std::string& p = chunk.persons;
        p += id;
        p += person.sex == 'M' ? "\tM\t" : "\tF\t";
        append_date(p, person.birth);
        p += '\t';
        append_date(p, history.death);
        p += '\t';
        append_date(p, history.emigration);
        p += '\t';
        p += counties()[person.county].code;
        p += '\n';
        chunk.counts.deaths += history.death != kNoDate;
        chunk.counts.emigrations += history.emigration != kNoDate;

        for (const Event& e : history.events) {
          std::string& s = chunk.events;
          s += id;
          s += '\t';
          append_date(s, e.date);
          s += '\t';
          s += e.source;
          s += '\t';
          s += e.code_system;
          s += '\t';
          s += e.code;
          s += '\t';
          s += e.role;
          s += '\t';
          if (std::isnan(e.value)) {
            s += "NA";
          } else {
            auto r = fmt::format_to_n(value, sizeof value, "{:g}", e.value);
            s.append(value, r.size);
          }
          s += '\n';
          ++chunk.counts.events_by_source[source_index(e.source)];
        }
        chunk.counts.events += history.events.size();

        for (const Diagnosis& d : history.diagnoses) {
          std::string& s = chunk.diagnoses;
          s += id;
          s += '\t';
          s += catalog[static_cast<std::size_t>(d.disease)].name;
          s += '\t';
          append_date(s, d.onset);
          s += '\t';
          append_date(s, d.first_record);
          s += '\n';
          if (d.first_record != kNoDate) ++chunk.counts.diagnosed[d.disease];
        }
        const TrialRecord& t = history.trial;
        if (t.initiation != kNoDate) {
          std::string& s = chunk.trial;
          s += id;
          s += '\t';
          append_date(s, t.initiation);
          s += t.sglt2 ? "\tA10BK01\t" : "\tA10BH01\t";
          s += t.prior_heart_failure ? "1\t" : "0\t";
          append_date(s, t.heart_failure_if_sglt2);
          s += '\t';
          append_date(s, t.heart_failure_if_dpp4);
          s += '\n';
          ++(t.sglt2 ? chunk.counts.trial_sglt2 : chunk.counts.trial_dpp4);
        }
        chunk.counts.influenza_vaccinated += history.influenza_vaccinated_any;
      }
    });
    std::size_t used = (batch_end - batch + kChunk - 1) / kChunk;
    for (std::size_t c = 0; c < used; ++c) {
      ChunkOutput& chunk = chunks[c];
      persons_file.write(chunk.persons);
      events_file.write(chunk.events);
      diagnoses_file.write(chunk.diagnoses);
      trial_file.write(chunk.trial);
      summary.events += chunk.counts.events;
      summary.deaths += chunk.counts.deaths;
      summary.emigrations += chunk.counts.emigrations;
      summary.trial_sglt2 += chunk.counts.trial_sglt2;
      summary.trial_dpp4 += chunk.counts.trial_dpp4;
      summary.influenza_vaccinated += chunk.counts.influenza_vaccinated;
      for (int s = 0; s < 7; ++s) summary.events_by_source[s] += chunk.counts.events_by_source[s];
      for (int d = 0; d < 16; ++d) summary.diagnosed[d] += chunk.counts.diagnosed[d];
    }
    progress.update(batch_end);
  }
  progress.finish();
  persons_file.commit();
  events_file.commit();
  diagnoses_file.commit();
  trial_file.commit();

  {
    OutputFile truth(out.file("truth.json"));
    truth.write(truth_json(options, genome).dump(2));
    truth.write("\n");
    truth.commit();
  }
  out.commit();
  return summary;
}

std::string format_summary(const SimulationSummary& s, const std::filesystem::path& out) {
  std::string text = fmt::format("Simulated population in {}/\n", out.string());
  text += fmt::format("  persons.tsv       {} persons: {} deaths and {} emigrations in the window\n", s.persons, s.deaths, s.emigrations);
  text += fmt::format("  events.tsv        {} registry events:", s.events);
  for (int k = 0; k < 7; ++k) text += fmt::format(" {} {}", kSources[k], s.events_by_source[k]);
  text += "\n";
  if (s.variants > 0) {
    text += fmt::format("  genotypes.bed     {} participants x {} variants ({:.2f}% missing calls), {} first-degree relative pairs\n",
                        s.genotyped, s.variants,
                        100.0 * static_cast<double>(s.missing_calls) / (static_cast<double>(s.genotyped) * static_cast<double>(s.variants)),
                        s.relative_pairs);
  }
  text += "  truth.json        diseases recorded in the registries:";
  const auto& catalog = disease_catalog();
  for (std::size_t d = 0; d < catalog.size(); ++d) text += fmt::format(" {} {}", catalog[d].name, s.diagnosed[d]);
  text += "\n";
  text += fmt::format("  truth_trial.tsv   second-line diabetes initiators from {}: {} SGLT2 inhibitor, {} DPP-4 inhibitor (planted HR {} for heart failure)\n",
                      kSglt2AvailableYear, s.trial_sglt2, s.trial_dpp4, kSglt2HeartFailureHazardRatio);
  text += fmt::format("  influenza         {} persons vaccinated at least once (planted HR {} for infection)\n", s.influenza_vaccinated,
                      kVaccineHazardRatio);
  return text;
}

}  // namespace kohort::simulate
