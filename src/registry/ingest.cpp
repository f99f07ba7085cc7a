#include "registry/ingest.h"

#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fmt/format.h>
#include <numeric>
#include <unordered_map>

#include "core/error.h"
#include "core/input.h"
#include "core/log.h"
#include "registry/event_store.h"

namespace kohort::registry {

bool clean_code(std::string_view raw, std::string& code) {
  code.clear();
  for (char c : raw) {
    if (c == '.' || c == ' ' || c == '\t') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
    code.push_back(c);
  }
  return !code.empty();
}

std::string read_key_file(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) throw InputError(path, "cannot open the pseudonymisation key file");
  std::string key;
  char buffer[256];
  std::size_t got;
  while ((got = std::fread(buffer, 1, sizeof buffer, file)) > 0) key.append(buffer, got);
  std::fclose(file);
  while (!key.empty() && std::isspace(static_cast<unsigned char>(key.back()))) key.pop_back();
  if (key.size() < crypto_generichash_KEYBYTES_MIN || key.size() > crypto_generichash_KEYBYTES_MAX)
    throw InputError(path, fmt::format("key has {} bytes; expected {} to {} (e.g. 64 hex characters from a random source)",
                                       key.size(), crypto_generichash_KEYBYTES_MIN, crypto_generichash_KEYBYTES_MAX));
  return key;
}

std::string pseudonymise_id(const std::string& id, const std::string& key) {
  unsigned char hash[8];
  crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(id.data()), id.size(),
                     reinterpret_cast<const unsigned char*>(key.data()), key.size());
  char hex[2 * sizeof hash + 1];
  sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
  return std::string(hex, 2 * sizeof hash);
}

namespace {

std::string sha256_of_file(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) throw InputError(path, "cannot open");
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  std::vector<unsigned char> buffer(1 << 20);
  std::size_t got;
  while ((got = std::fread(buffer.data(), 1, buffer.size(), file)) > 0) crypto_hash_sha256_update(&state, buffer.data(), got);
  std::fclose(file);
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state, digest);
  char hex[2 * crypto_hash_sha256_BYTES + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

// Counts problems per kind, keeps a few examples, or throws at the first one under --strict.
class ProblemLog {
 public:
  enum Kind { duplicate_person, bad_person_row, unknown_person, bad_date, outside_life, outside_coverage, bad_code,
              bad_field, kind_count };
  explicit ProblemLog(bool strict) : strict_(strict) {
    static const char* names[] = {"duplicate person id", "unreadable person row", "event of an unknown person",
                                  "unreadable event date", "event date outside the person's life or follow-up",
                                  "event date outside registry coverage", "unparseable code",
                                  "unreadable source, code system, role or value"};
    for (int k = 0; k < kind_count; ++k) problems_.push_back({names[k], 0, {}});
  }
  void add(Kind kind, const std::string& file, std::uint64_t line, const std::string& message) {
    if (strict_) throw InputError(file, line, message);
    IngestProblem& p = problems_[kind];
    ++p.count;
    if (p.examples.size() < 3) p.examples.push_back(fmt::format("{}:{}: {}", file, line, message));
  }
  std::vector<IngestProblem> take() { return std::move(problems_); }

 private:
  bool strict_;
  std::vector<IngestProblem> problems_;
};

bool is_word(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text)
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

std::optional<Date> parse_optional_date(std::string_view text, bool& ok) {
  ok = true;
  if (text == "NA" || text.empty()) return std::nullopt;
  auto date = parse_date(text);
  if (!date) ok = false;
  return date;
}

void expect_header(const std::string& file, const std::string& line, const std::vector<std::string_view>& fields,
                   std::initializer_list<std::string_view> names) {
  std::size_t i = 0;
  bool ok = fields.size() == names.size();
  for (auto name : names) ok = ok && fields[i++] == name;
  if (!ok) {
    std::string expected;
    for (auto name : names) expected += (expected.empty() ? "" : "\\t") + std::string(name);
    throw InputError(file, 1, fmt::format("header is '{}'; expected '{}'", line, expected));
  }
}

}  // namespace

IngestReport ingest_long_format(const IngestOptions& options) {
  if (sodium_init() < 0) throw Error("libsodium failed to initialise");
  ProblemLog problems(options.strict);
  std::vector<std::string_view> fields;
  std::string line;

  // Persons.
  std::vector<Person> persons;
  std::unordered_map<std::string, std::uint32_t> index_of;
  {
    LineReader reader(options.persons_path);
    const std::string& file = options.persons_path;
    if (!reader.next(line)) throw InputError(file, 1, "empty file; expected a header line");
    split(line, '\t', fields);
    expect_header(file, line, fields, {"person_id", "sex", "birth_date", "death_date", "emigration_date", "region"});
    while (reader.next(line)) {
      std::uint64_t at = reader.line_number();
      split(line, '\t', fields);
      if (fields.size() != 6) {
        problems.add(ProblemLog::bad_person_row, file, at, fmt::format("{} fields; expected 6", fields.size()));
        continue;
      }
      Person p;
      p.id = fields[0];
      bool ok_birth, ok_death, ok_emigration;
      auto birth = parse_optional_date(fields[2], ok_birth);
      auto death = parse_optional_date(fields[3], ok_death);
      auto emigration = parse_optional_date(fields[4], ok_emigration);
      if (p.id.empty() || (fields[1] != "M" && fields[1] != "F") || !birth || !ok_death || !ok_emigration) {
        problems.add(ProblemLog::bad_person_row, file, at,
                     "expected person_id, sex M or F, birth date YYYY-MM-DD, death and emigration date or NA");
        continue;
      }
      p.sex = fields[1][0];
      p.birth = *birth;
      p.death = death ? *death : kNoDate;
      p.emigration = emigration ? *emigration : kNoDate;
      p.region = fields[5];
      if (!index_of.emplace(p.id, static_cast<std::uint32_t>(persons.size())).second) {
        problems.add(ProblemLog::duplicate_person, file, at, fmt::format("person '{}' appears again; first row kept", p.id));
        continue;
      }
      persons.push_back(std::move(p));
    }
  }

  // Events.
  EventColumns events;
  std::unordered_map<std::string, std::uint32_t> code_index;
  std::vector<CodeEntry> codes;
  IngestReport report;
  {
    LineReader reader(options.events_path);
    const std::string& file = options.events_path;
    if (!reader.next(line)) throw InputError(file, 1, "empty file; expected a header line");
    split(line, '\t', fields);
    expect_header(file, line, fields, {"person_id", "date", "source", "code_system", "code", "role", "value"});
    // The row count is unknown until the end (gzip input), so progress is a line per 10 million rows.
    std::string code, key;
    while (reader.next(line)) {
      std::uint64_t at = reader.line_number();
      ++report.events_read;
      if (report.events_read % 10000000 == 0) log_info(fmt::format("ingest: {} event rows read", report.events_read));
      split(line, '\t', fields);
      if (fields.size() != 7) {
        problems.add(ProblemLog::bad_field, file, at, fmt::format("{} fields; expected 7", fields.size()));
        continue;
      }
      auto person = index_of.find(std::string(fields[0]));
      if (person == index_of.end()) {
        problems.add(ProblemLog::unknown_person, file, at, fmt::format("person '{}' is not in {}", fields[0], options.persons_path));
        continue;
      }
      auto date = parse_date(fields[1]);
      if (!date) {
        problems.add(ProblemLog::bad_date, file, at, fmt::format("date '{}'; expected YYYY-MM-DD", fields[1]));
        continue;
      }
      Role role;
      float value = std::nanf("");
      if (!is_word(fields[2]) || !is_word(fields[3]) || !parse_role(fields[5], role)) {
        problems.add(ProblemLog::bad_field, file, at,
                     "expected source and code system in capitals, role main/secondary/underlying/contributing/NA");
        continue;
      }
      if (fields[6] != "NA") {
        const char* end = fields[6].data() + fields[6].size();
        auto result = std::from_chars(fields[6].data(), end, value);
        if (result.ec != std::errc() || result.ptr != end) {
          problems.add(ProblemLog::bad_field, file, at, fmt::format("value '{}'; expected a number or NA", fields[6]));
          continue;
        }
      }
      const Person& p = persons[person->second];
      // KUHR dates are months written as their first day: a contact in the birth month is in life.
      Date earliest = p.birth;
      if (fields[2] == "KUHR") {
        int y;
        unsigned m, d;
        civil_from_date(p.birth, y, m, d);
        earliest = make_date(y, m, 1);
      }
      Date last = p.death != kNoDate ? p.death : (p.emigration != kNoDate ? p.emigration : INT32_MAX);
      if (*date < earliest || *date > last) {
        problems.add(ProblemLog::outside_life, file, at,
                     fmt::format("date {} is outside {}..{} of person '{}'", fields[1], format_date(p.birth),
                                 last == INT32_MAX ? std::string("") : format_date(last), p.id));
        continue;
      }
      if (*date < options.coverage_start || *date > options.coverage_end) {
        problems.add(ProblemLog::outside_coverage, file, at,
                     fmt::format("date {} is outside coverage {}..{}", fields[1], format_date(options.coverage_start),
                                 format_date(options.coverage_end)));
        continue;
      }
      if (!clean_code(fields[4], code)) {
        problems.add(ProblemLog::bad_code, file, at, fmt::format("code '{}'; expected letters and digits", fields[4]));
        continue;
      }
      key.assign(fields[2]);
      key += '\t';
      key += fields[3];
      key += '\t';
      key += code;
      auto [it, added] = code_index.emplace(key, static_cast<std::uint32_t>(codes.size()));
      if (added) codes.push_back({std::string(fields[2]), std::string(fields[3]), code});
      events.person.push_back(person->second);
      events.date.push_back(*date);
      events.code.push_back(it->second);
      events.role.push_back(role);
      events.value.push_back(value);
    }
    log_info(fmt::format("ingest: {} event rows read from {}", report.events_read, file));
  }

  // Dictionary in (source, code system, code) order, so the store does not depend on row order.
  std::vector<std::uint32_t> order(codes.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return std::tie(codes[a].source, codes[a].code_system, codes[a].code) <
           std::tie(codes[b].source, codes[b].code_system, codes[b].code);
  });
  std::vector<std::uint32_t> remap(codes.size());
  std::vector<CodeEntry> sorted_codes(codes.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) {
    remap[order[i]] = i;
    sorted_codes[i] = codes[order[i]];
  }
  for (auto& c : events.code) c = remap[c];

  StoreProvenance provenance;
  provenance.inputs = {options.persons_path, options.events_path};
  provenance.input_sha256 = {sha256_of_file(options.persons_path), sha256_of_file(options.events_path)};
  provenance.coverage_start = options.coverage_start;
  provenance.coverage_end = options.coverage_end;
  if (!options.key_path.empty()) {
    std::string key = read_key_file(options.key_path);
    std::unordered_map<std::string, std::uint32_t> seen;
    for (std::uint32_t i = 0; i < persons.size(); ++i) {
      persons[i].id = pseudonymise_id(persons[i].id, key);
      if (!seen.emplace(persons[i].id, i).second) throw Error("pseudonym collision; use a different key");
    }
    provenance.pseudonymised = true;
  }
  report.persons = persons.size();
  report.events_kept = events.person.size();
  write_event_store(options.out, persons, sorted_codes, std::move(events), provenance);
  report.problems = problems.take();
  return report;
}

}  // namespace kohort::registry
