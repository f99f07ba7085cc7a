#pragma once
// The event store: kohort's columnar, compressed, memory-mapped copy of a population's registry
// events, sorted by person then date, with codes dictionary-encoded per (source, code system).
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"

namespace kohort::registry {

using kohort::Date;
inline constexpr Date kNoDate = INT32_MIN;

// Roles of an event's code within its record.
enum class Role : std::uint8_t { none = 0, main = 1, secondary = 2, underlying = 3, contributing = 4 };
std::string_view role_name(Role role);  // "NA" for none
// Parses "main", "secondary", "underlying", "contributing" or "NA"; false otherwise.
bool parse_role(std::string_view text, Role& role);

struct Person {
  std::string id;
  char sex = 'U';  // 'M' or 'F'
  Date birth = kNoDate;
  Date death = kNoDate;
  Date emigration = kNoDate;
  std::string region;
};

// One dictionary entry: a code within its (source, code system).
struct CodeEntry {
  std::string source;
  std::string code_system;
  std::string code;
};

// Events as parallel columns, sorted by person index then date.
struct EventColumns {
  std::vector<std::uint32_t> person;  // index into the persons table
  std::vector<Date> date;
  std::vector<std::uint32_t> code;    // index into the code dictionary
  std::vector<Role> role;
  std::vector<float> value;           // NaN when absent
};

// Description of the inputs, recorded in manifest.json.
struct StoreProvenance {
  std::vector<std::string> inputs;           // file paths
  std::vector<std::string> input_sha256;     // hex digests, same order
  Date coverage_start = kNoDate;
  Date coverage_end = kNoDate;
  bool pseudonymised = false;
};

// Sorts the events (stably, by person then date), writes the store directory atomically.
// `codes` is the dictionary referenced by events.code.
void write_event_store(const std::filesystem::path& directory, const std::vector<Person>& persons,
                       const std::vector<CodeEntry>& codes, EventColumns events, const StoreProvenance& provenance);

// A store opened for reading: columns are decompressed from memory-mapped files.
class EventStore {
 public:
  explicit EventStore(const std::filesystem::path& directory);

  const std::vector<Person>& persons() const { return persons_; }
  const std::vector<CodeEntry>& codes() const { return codes_; }
  const EventColumns& events() const { return events_; }
  // Events of person i are [person_begin(i), person_begin(i+1)).
  std::uint64_t person_begin(std::size_t person) const { return offsets_[person]; }
  Date coverage_start() const { return coverage_start_; }
  Date coverage_end() const { return coverage_end_; }
  // End of follow-up: death, emigration or the end of coverage, whichever is first.
  Date end_of_followup(std::size_t person) const;

 private:
  std::vector<Person> persons_;
  std::vector<CodeEntry> codes_;
  EventColumns events_;
  std::vector<std::uint64_t> offsets_;
  Date coverage_start_ = kNoDate;
  Date coverage_end_ = kNoDate;
};

}  // namespace kohort::registry
