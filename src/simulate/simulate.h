#pragma once
// `kohort simulate`: a synthetic population with biobank genotypes, registry histories and the
// truth behind them, written as a directory that other tools (plink2, R, SQLite) open too.
#include <cstdint>
#include <filesystem>
#include <string>

#include "core/date.h"

namespace kohort::simulate {

struct SimulationOptions {
  std::uint64_t persons = 20000;
  std::uint64_t genotyped = 0;  // 0: use genotyped_fraction
  double genotyped_fraction = 0.3;
  std::uint64_t variants = 20000;
  std::uint64_t seed = 1;
  double missing_rate = 0.01;
  Date coverage_start = make_date(2008, 1, 1);
  Date coverage_end = make_date(2024, 12, 31);
  bool gzip = false;
};

// What was written, for the summary printed at the end.
struct SimulationSummary {
  std::uint64_t persons = 0, genotyped = 0, variants = 0, events = 0, deaths = 0, emigrations = 0;
  std::uint64_t relative_pairs = 0, missing_calls = 0;
  std::uint64_t events_by_source[7] = {};
  std::uint64_t diagnosed[16] = {};  // per disease: reached a registry in the window
  std::uint64_t trial_sglt2 = 0, trial_dpp4 = 0;
  std::uint64_t influenza_vaccinated = 0;
};

SimulationSummary run_simulation(const SimulationOptions& options, const std::filesystem::path& out);

// The summary as a few lines of text for the terminal.
std::string format_summary(const SimulationSummary& summary, const std::filesystem::path& out);

}  // namespace kohort::simulate
