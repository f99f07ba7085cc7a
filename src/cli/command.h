#pragma once
// Subcommand registry: each src/cli/<name>.cpp registers one subcommand with a static
// `Subcommand` object; main() builds the command line from all of them.
#include <functional>
#include <string>

namespace CLI {
class App;
}

namespace kohort::cli {

// Declares the subcommand's options on `app` and returns the function that runs it.
using Setup = std::function<std::function<void()>(CLI::App& app)>;

struct Subcommand {
  // `order` sorts the help listing along the pipeline (simulate, ingest, qc, ...).
  Subcommand(std::string name, std::string summary, int order, Setup setup);
};

}  // namespace kohort::cli
