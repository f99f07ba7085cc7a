// The kohort command: global options, the subcommand registry, and the one error style
// (`kohort: error: ...`, exit 2 for bad input, 1 for internal failures).
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <kohort/version.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "cli/command.h"
#include "core/error.h"
#include "core/log.h"
#include "core/parallel.h"
#include "core/system.h"

namespace kohort::cli {
namespace {

struct Entry {
  std::string name;
  std::string summary;
  int order;
  Setup setup;
};

std::vector<Entry>& registry() {
  static std::vector<Entry> entries;
  return entries;
}

}  // namespace

Subcommand::Subcommand(std::string name, std::string summary, int order, Setup setup) {
  registry().push_back({std::move(name), std::move(summary), order, std::move(setup)});
}

}  // namespace kohort::cli

int main(int argc, char** argv) {
  using namespace kohort;
  CLI::App app{"kohort: biobank genotypes and health-registry records to research results."};
  app.name("kohort");
  app.set_version_flag("--version", std::string("kohort ") + KOHORT_VERSION);
  int threads = 0;
  bool quiet = false;
  app.add_option("--threads", threads, "Worker threads (default: all cores)")->check(CLI::NonNegativeNumber);
  app.add_flag("--quiet,-q", quiet, "No progress or information on stderr; errors and warnings still print");
  app.require_subcommand(1);
  app.fallthrough();
  app.footer("Run `kohort SUBCOMMAND --help` for a subcommand's options and a worked example.");

  auto& entries = cli::registry();
  std::stable_sort(entries.begin(), entries.end(), [](auto& a, auto& b) { return a.order < b.order; });
  std::function<void()> run;
  for (auto& entry : entries) {
    CLI::App* sub = app.add_subcommand(entry.name, entry.summary);
    sub->fallthrough();
    auto action = std::make_shared<std::function<void()>>(entry.setup(*sub));
    sub->callback([&run, action] { run = *action; });
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "kohort: error: {}\nRun `kohort --help` or `kohort SUBCOMMAND --help` for usage.\n", e.what());
    return kExitBadInput;
  }

  set_quiet(quiet);
  set_thread_count(threads);
  raise_open_file_limit();  // a GWAS of thousands of phenotypes writes as many files at once
  try {
    if (run) run();
  } catch (const InputError& e) {
    fmt::print(stderr, "kohort: error: {}\n", e.what());
    return kExitBadInput;
  } catch (const Error& e) {
    fmt::print(stderr, "kohort: error: internal: {}\n", e.what());
    return kExitInternal;
  } catch (const std::bad_alloc&) {
    fmt::print(stderr, "kohort: error: out of memory\n");
    return kExitInternal;
  } catch (const std::exception& e) {
    fmt::print(stderr, "kohort: error: internal: {}\n", e.what());
    return kExitInternal;
  }
  return kExitOk;
}
