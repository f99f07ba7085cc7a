// `kohort endpoints`: every endpoint definition evaluated in one pass over an event store.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/command.h"
#include "core/error.h"
#include "core/log.h"
#include "endpoint/definition.h"
#include "endpoint/evaluate.h"
#include "endpoint/tables.h"

namespace kohort::cli {
namespace {

const Subcommand endpoints_command{
    "endpoints", "Evaluate endpoint definitions (TOML or FinnGen-style TSV) on an event store", 30, [](CLI::App& app) {
      auto store_path = std::make_shared<std::string>();
      auto definitions_path = std::make_shared<std::string>();
      auto options = std::make_shared<endpoint::TableOptions>();
      auto tables = std::make_shared<std::string>("wide,long");
      app.add_option("--store", *store_path, "Event store directory written by kohort ingest")->required();
      app.add_option("--definitions", *definitions_path,
                     "A definitions file (.toml, or .tsv in FinnGen's layout) or a directory of them")->required();
      app.add_option("--out", options->prefix, "Output prefix: PREFIX.wide.tsv, PREFIX.long.tsv, PREFIX.summary.tsv")->required();
      app.add_flag("--gzip", options->gzip, "Write the wide and long tables as .tsv.gz (BGZF)");
      app.add_option("--tables", *tables, "Which person-level tables to write: wide, long, or wide,long")->capture_default_str();
      app.add_option("--suppress-below", options->suppress_below, "Summary counts from 1 to this minus 1 are suppressed")
          ->capture_default_str()->check(CLI::PositiveNumber);
      app.footer(R"(Example:
  kohort ingest --persons pop/persons.tsv --events pop/events.tsv --out pop/store
  kohort endpoints --store pop/store --definitions endpoints/ --out pop/endpoints
  kohort gwas --bfile pop/genotypes --pheno pop/endpoints.wide.tsv ...)");
      return [store_path, definitions_path, options, tables] {
        options->wide = tables->find("wide") != std::string::npos;
        options->long_table = tables->find("long") != std::string::npos;
        if (!options->wide && !options->long_table)
          throw InputError(fmt::format("--tables '{}': expected wide, long or wide,long", *tables));
        auto definitions = endpoint::validate_and_order(endpoint::read_definitions(*definitions_path));
        registry::EventStore store(*store_path);
        log_info(fmt::format("{} endpoints, {} persons, {} events", definitions.size(), store.persons().size(),
                             store.events().date.size()));
        endpoint::EndpointEvaluator evaluator(store, std::move(definitions));
        auto counts = endpoint::write_endpoint_tables(store, evaluator, *options);
        std::uint64_t with_cases = 0;
        for (const auto& c : counts) with_cases += c.cases > 0;
        fmt::print("endpoints\t{}\nwith cases\t{}\nsummary\t{}.summary.tsv\n", counts.size(), with_cases, options->prefix);
      };
    }};

}  // namespace
}  // namespace kohort::cli
