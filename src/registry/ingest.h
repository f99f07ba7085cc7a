#pragma once
// Reading registry data into an event store: kohort's own long format (persons.tsv + events.tsv),
// with validation of every row and optional keyed pseudonymisation of person ids.
#include <cstdint>
#include <string>
#include <vector>

#include "core/date.h"

namespace kohort::registry {

struct IngestOptions {
  std::string persons_path;
  std::string events_path;
  std::string omop_path;     // OMOP CDM in SQLite, instead of persons_path + events_path
  std::string mapping_path;  // TOML mapping of native extracts, instead of persons_path + events_path
  std::string out;
  std::string key_path;  // pseudonymisation key file; empty: ids kept
  bool strict = false;   // first problem is an error naming file:line
  Date coverage_start = make_date(2008, 1, 1);
  Date coverage_end = make_date(2024, 12, 31);
};

// One kind of problem found on the way in, with how often and a few examples ("file:line: ...").
struct IngestProblem {
  std::string kind;
  std::uint64_t count = 0;
  std::vector<std::string> examples;
};

struct IngestReport {
  std::uint64_t persons = 0;
  std::uint64_t events_read = 0;
  std::uint64_t events_kept = 0;
  std::vector<IngestProblem> problems;  // in a fixed order; zero counts included
};

IngestReport ingest_long_format(const IngestOptions& options);
// OMOP CDM tables person, observation_period, death, condition_occurrence, drug_exposure and
// procedure_occurrence from SQLite, source values as codes (mapping in docs/ingest.md).
IngestReport ingest_omop(const IngestOptions& options);
// Native registry extracts described by a TOML mapping file (docs/ingest.md).
IngestReport ingest_mapped(const IngestOptions& options);

// Keyed hash of a person id: 16 lowercase hex characters (BLAKE2b via libsodium, keyed).
std::string pseudonymise_id(const std::string& id, const std::string& key);
// Reads a key file: its bytes less trailing whitespace, 16 to 64 bytes.
std::string read_key_file(const std::string& path);
// Cleans a code as registries deliver it: drops dots, spaces and tabs, upper-cases letters.
// Returns false if anything other than A-Z and 0-9 remains or the code is empty.
bool clean_code(std::string_view raw, std::string& code);

}  // namespace kohort::registry
