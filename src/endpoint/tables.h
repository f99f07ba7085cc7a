#pragma once
// Writes endpoint results: a wide phenotype table (one row per person, keyed by person_id),
// a long table (cases and excluded persons), and a summary with small counts suppressed.
#include <cstdint>
#include <string>

#include "endpoint/evaluate.h"

namespace kohort::endpoint {

struct TableOptions {
  std::string prefix;       // PREFIX.wide.tsv, PREFIX.long.tsv, PREFIX.summary.tsv
  bool gzip = false;        // .tsv.gz (BGZF) for the wide and long tables
  bool wide = true;
  bool long_table = true;
  int suppress_below = 5;   // summary counts 1 .. suppress_below-1 are written as "<suppress_below"
};

struct EndpointCounts {
  std::uint64_t cases = 0, controls = 0, excluded = 0;
};

// Evaluates all persons in blocks (in parallel, output identical at any thread count) and writes the tables.
std::vector<EndpointCounts> write_endpoint_tables(const registry::EventStore& store, const EndpointEvaluator& evaluator,
                                                  const TableOptions& options);

}  // namespace kohort::endpoint
