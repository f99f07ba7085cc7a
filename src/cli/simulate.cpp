// `kohort simulate`: a synthetic population to try, teach and test kohort with.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/command.h"
#include "core/error.h"
#include "simulate/simulate.h"

namespace kohort::cli {
namespace {

const Subcommand simulate_command{
    "simulate", "Simulate a population: persons, registry events, biobank genotypes and the truth behind them", 10,
    [](CLI::App& app) {
      auto options = std::make_shared<simulate::SimulationOptions>();
      auto out = std::make_shared<std::string>();
      auto start = std::make_shared<std::string>("2008-01-01");
      auto end = std::make_shared<std::string>("2024-12-31");
      app.add_option("--persons", options->persons, "Number of persons ever in the population during the window")
          ->capture_default_str()->check(CLI::PositiveNumber);
      app.add_option("--genotyped", options->genotyped,
                     "Number of biobank participants with genotypes (overrides --genotyped-fraction)");
      app.add_option("--genotyped-fraction", options->genotyped_fraction, "Share of persons who are genotyped")
          ->capture_default_str();
      app.add_option("--variants", options->variants, "Number of variants on the 22 autosomes (0: no genotypes)")
          ->capture_default_str();
      app.add_option("--missing-rate", options->missing_rate, "Average share of missing genotype calls")
          ->capture_default_str()->check(CLI::Range(0.0, 0.5));
      app.add_option("--seed", options->seed, "Random seed; the same seed gives the same files at any --threads")
          ->capture_default_str();
      app.add_option("--coverage-start", *start, "First day of registry coverage (YYYY-MM-DD)")->capture_default_str();
      app.add_option("--coverage-end", *end, "Last day of registry coverage (YYYY-MM-DD)")->capture_default_str();
      app.add_flag("--gzip", options->gzip, "Write events.tsv.gz (BGZF) instead of events.tsv");
      app.add_option("--out", *out, "Output directory (created; replaced only when the simulation completes)")->required();
      app.footer(R"(Files written to --out:
  persons.tsv          person_id, sex, birth_date, death_date, emigration_date, region (county code)
  events.tsv           person_id, date, source (NPR KUHR LMR DAR KREFT SYSVAK MSIS), code_system,
                       code, role (main/secondary, underlying/contributing), value (DDD for LMR)
  genotypes.bed/.bim/.fam   PLINK 1 genotypes of the biobank participants
  truth.json           diseases (codes, heritability, causal variants, onset model), trial, vaccine
  truth_variants.tsv   expected ALT frequency of every variant, overall and per ancestry group
  truth_causal_variants.tsv  the causal variants of every disease (also in truth.json)
  truth_diagnoses.tsv  onset and first registry record of every simulated disease per person
  truth_trial.tsv      second-line diabetes initiators with both potential heart-failure dates
  truth_relatives.tsv  first-degree relative pairs among the participants

Example:
  kohort simulate --persons 20000 --variants 20000 --seed 1 --out demo/population
  plink2 --bfile demo/population/genotypes --freq --out demo/population/freq)");
      return [options, out, start, end] {
        auto parsed_start = parse_date(*start);
        auto parsed_end = parse_date(*end);
        if (!parsed_start) throw InputError(fmt::format("--coverage-start '{}' is not a date; expected YYYY-MM-DD", *start));
        if (!parsed_end) throw InputError(fmt::format("--coverage-end '{}' is not a date; expected YYYY-MM-DD", *end));
        options->coverage_start = *parsed_start;
        options->coverage_end = *parsed_end;
        auto summary = simulate::run_simulation(*options, *out);
        fmt::print("{}", simulate::format_summary(summary, *out));
      };
    }};

}  // namespace
}  // namespace kohort::cli
