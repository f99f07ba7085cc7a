// `kohort version`: the version and the libraries compiled in, for bug reports.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <htslib/hts.h>
#include <kohort/version.h>

#include "cli/command.h"

namespace kohort::cli {
namespace {

const Subcommand version_command{
    "version", "Print the version and the libraries kohort was built with", 1000, [](CLI::App& app) {
      app.footer("Example:\n  kohort version");
      return [] { fmt::print("kohort {}\nhtslib {}\n", KOHORT_VERSION, hts_version()); };
    }};

}  // namespace
}  // namespace kohort::cli
