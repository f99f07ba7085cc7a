#pragma once
// Reading an OMOP CDM database in SQLite as persons and events (used by ingest_omop).
#include <cstdint>
#include <functional>
#include <string>

#include "core/date.h"

namespace kohort::registry::detail {

// person(file, row, id, sex M/F/other, birth, death or NA, emigration or NA)
using OmopPersonSink = std::function<void(const std::string&, std::uint64_t, const std::string&, const std::string&, const std::string&,
                                          const std::string&, const std::string&)>;
// event(file or table, row, person id, date, source, code system, code, role, value or NA)
using OmopEventSink = std::function<void(const std::string&, std::uint64_t, const std::string&, const std::string&,
                                         const char*, const char*, const std::string&, const char*, const std::string&)>;

void read_omop(const std::string& path, Date coverage_end, const OmopPersonSink& person, const OmopEventSink& event);

}  // namespace kohort::registry::detail
