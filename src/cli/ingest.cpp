// `kohort ingest`: registry data into an event store, validated row by row.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/command.h"
#include "core/error.h"
#include "core/log.h"
#include "registry/ingest.h"

namespace kohort::cli {
namespace {

const Subcommand ingest_command{
    "ingest", "Read persons and registry events into a columnar event store", 20, [](CLI::App& app) {
      auto options = std::make_shared<registry::IngestOptions>();
      auto start = std::make_shared<std::string>("2008-01-01");
      auto end = std::make_shared<std::string>("2024-12-31");
      app.add_option("--persons", options->persons_path,
                     "persons.tsv: person_id sex birth_date death_date emigration_date region");
      app.add_option("--events", options->events_path,
                     "events.tsv[.gz]: person_id date source code_system code role value");
      app.add_option("--omop", options->omop_path,
                     "OMOP CDM database in SQLite (instead of --persons/--events); source values become codes");
      app.add_option("--mapping", options->mapping_path,
                     "TOML mapping of native registry extracts (instead of --persons/--events; see docs/ingest.md)");
      app.add_option("--out", options->out, "Event store directory (replaced only when the ingest completes)")->required();
      app.add_option("--pseudonymise", options->key_path,
                     "Key file (16-64 bytes): replace person ids by a keyed BLAKE2b hash (16 hex characters)");
      app.add_flag("--strict", options->strict, "Stop at the first invalid row (file:line) instead of counting and skipping");
      app.add_option("--coverage-start", *start, "First day of registry coverage (YYYY-MM-DD)")->capture_default_str();
      app.add_option("--coverage-end", *end, "Last day of registry coverage (YYYY-MM-DD)")->capture_default_str();
      app.footer(R"(Invalid rows (unknown persons, dates outside life or coverage, unparseable codes, duplicate
person ids) are skipped and reported with counts and examples; --strict makes the first one an error.

Example:
  kohort simulate --persons 5000 --variants 0 --seed 1 --out pop
  kohort ingest --persons pop/persons.tsv --events pop/events.tsv --out pop/store
  kohort ingest --omop cdm.sqlite --out cdm_store)");
      return [options, start, end] {
        auto s = parse_date(*start), e = parse_date(*end);
        if (!s) throw InputError(fmt::format("--coverage-start '{}' is not a date; expected YYYY-MM-DD", *start));
        if (!e) throw InputError(fmt::format("--coverage-end '{}' is not a date; expected YYYY-MM-DD", *end));
        options->coverage_start = *s;
        options->coverage_end = *e;
        bool long_format = !options->persons_path.empty() || !options->events_path.empty();
        int kinds = long_format + !options->omop_path.empty() + !options->mapping_path.empty();
        if (kinds != 1) throw InputError("give one input: --persons and --events, --omop, or --mapping");
        if (long_format && (options->persons_path.empty() || options->events_path.empty()))
          throw InputError("--persons and --events go together");
        auto report = long_format                       ? registry::ingest_long_format(*options)
                      : !options->omop_path.empty() ? registry::ingest_omop(*options)
                                                    : registry::ingest_mapped(*options);
        fmt::print("persons\t{}\nevents read\t{}\nevents kept\t{}\n", report.persons, report.events_read, report.events_kept);
        for (const auto& problem : report.problems) {
          if (problem.count == 0) continue;
          log_warning(fmt::format("{} rows skipped: {}", problem.count, problem.kind));
          for (const auto& example : problem.examples) log_warning("  e.g. " + example);
        }
      };
    }};

}  // namespace
}  // namespace kohort::cli
