#pragma once
// Native registry extracts read through a TOML mapping file (docs/ingest.md): column names,
// separators, date formats (also year-month only), wide diagnosis columns turned long.
#include <string>

#include "registry/omop.h"

namespace kohort::registry::detail {

// Calls `person` and `event` for every row of the files the mapping names (paths relative to it).
// Returns the input files read, for the manifest.
std::vector<std::string> read_mapped(const std::string& mapping_path, const OmopPersonSink& person, const OmopEventSink& event);

// Converts `text` in `format` (%Y %m %d and literal characters; no %d: day 1) to YYYY-MM-DD,
// or returns the text unchanged for the caller's validation to report.
std::string reformat_date(const std::string& text, const std::string& format);

}  // namespace kohort::registry::detail
