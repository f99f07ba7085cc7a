// `kohort trial`: a target trial emulated on an event store, as a protocol file describes it.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/command.h"
#include "core/error.h"
#include "core/log.h"
#include "endpoint/definition.h"
#include "endpoint/evaluate.h"
#include "registry/event_store.h"
#include "trial/cohort.h"
#include "trial/outcomes.h"
#include "trial/protocol.h"
#include "trial/report.h"

namespace kohort::cli {
namespace {

struct TrialArgs {
  std::string protocol, store, definitions, out, cohort_table;
  int bootstrap = -1;
};

void run_trial(const TrialArgs& a) {
  trial::Protocol protocol = trial::read_protocol(a.protocol);
  if (a.bootstrap >= 0) protocol.analysis.bootstrap = a.bootstrap;
  auto definitions = endpoint::validate_and_order(endpoint::read_definitions(a.definitions));
  registry::EventStore store(a.store);
  endpoint::EndpointEvaluator evaluator(store, std::move(definitions));
  log_info(fmt::format("trial '{}': {} persons, {} events", protocol.name, store.persons().size(),
                       store.events().date.size()));
  trial::TrialCohort cohort = trial::build_cohort(store, evaluator, protocol);
  log_info(fmt::format("cohort: {} persons", cohort.size()));
  trial::TrialResults results = trial::analyse_trial(cohort, protocol);
  std::string summary = trial::write_trial_report(a.out, protocol, cohort, results);
  if (!a.cohort_table.empty()) {
    log_warning(fmt::format("{} holds one row per {}: for checking only, not for release", a.cohort_table,
                            cohort.cloned ? "clone" : "person"));
    trial::write_cohort_table(a.cohort_table, store, cohort, results);
  }
  fmt::print("{}", summary);
  fmt::print("files: {0}.flow.tsv {0}.balance.tsv {0}.km.tsv {0}.estimates.tsv {0}.summary.txt\n", a.out);
}

const Subcommand trial_command{
    "trial", "Emulate a target trial (new users, two strategies) on an event store from a protocol file", 620,
    [](CLI::App& app) {
      auto args = std::make_shared<TrialArgs>();
      app.add_option("protocol", args->protocol, "Protocol file (TOML; see docs/trial.md)")->required();
      app.add_option("--store", args->store, "Event store directory written by kohort ingest")->required();
      app.add_option("--definitions", args->definitions,
                     "Endpoint definitions (.toml or FinnGen-style .tsv, or a directory of them)")->required();
      app.add_option("--out", args->out,
                     "Output prefix: PREFIX.flow.tsv, .balance.tsv, .km.tsv, .estimates.tsv, .summary.txt")->required();
      app.add_option("--bootstrap", args->bootstrap, "Bootstrap replicates (overrides [analysis] bootstrap)")
          ->check(CLI::NonNegativeNumber);
      app.add_option("--cohort-table", args->cohort_table,
                     "Also write the person-level analysis table here (for checks; never release it)");
      app.footer(R"(Example:
  kohort simulate --persons 200000 --variants 0 --out pop
  kohort ingest --persons pop/persons.tsv --events pop/events.tsv --out pop/store
  kohort trial trials/sglt2_vs_dpp4_heart_failure.toml --store pop/store --definitions endpoints/ --out pop/trial)");
      return [args] { run_trial(*args); };
    }};

}  // namespace
}  // namespace kohort::cli
