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
#include "registry/mapping.h"
#include "registry/omop.h"

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

namespace {

// Validates persons and events as they arrive from any reader and builds the store's columns.
class StoreBuilder {
 public:
  explicit StoreBuilder(const IngestOptions& options) : options_(options), problems_(options.strict) {}

  void add_person(const std::string& file, std::uint64_t at, std::string_view id, std::string_view sex,
                  std::string_view birth_text, std::string_view death_text, std::string_view emigration_text,
                  std::string_view region) {
    Person p;
    p.id = id;
    bool ok_birth, ok_death, ok_emigration;
    auto birth = parse_optional_date(birth_text, ok_birth);
    auto death = parse_optional_date(death_text, ok_death);
    auto emigration = parse_optional_date(emigration_text, ok_emigration);
    if (p.id.empty() || (sex != "M" && sex != "F") || !birth || !ok_death || !ok_emigration) {
      problems_.add(ProblemLog::bad_person_row, file, at,
                    "expected person_id, sex M or F, birth date YYYY-MM-DD, death and emigration date or NA");
      return;
    }
    p.sex = sex[0];
    p.birth = *birth;
    p.death = death ? *death : kNoDate;
    p.emigration = emigration ? *emigration : kNoDate;
    p.region = region;
    if (!index_of_.emplace(p.id, static_cast<std::uint32_t>(persons_.size())).second) {
      problems_.add(ProblemLog::duplicate_person, file, at, fmt::format("person '{}' appears again; first row kept", p.id));
      return;
    }
    persons_.push_back(std::move(p));
  }

  void add_event(const std::string& file, std::uint64_t at, std::string_view person_id, std::string_view date_text,
                 std::string_view source, std::string_view code_system, std::string_view raw_code,
                 std::string_view role_text, std::string_view value_text) {
    ++events_read_;
    key_.assign(person_id);
    auto person = index_of_.find(key_);
    if (person == index_of_.end()) {
      problems_.add(ProblemLog::unknown_person, file, at, fmt::format("person '{}' is not among the persons", person_id));
      return;
    }
    auto date = parse_date(date_text);
    if (!date) {
      problems_.add(ProblemLog::bad_date, file, at, fmt::format("date '{}'; expected YYYY-MM-DD", date_text));
      return;
    }
    Role role;
    float value = std::nanf("");
    if (!is_word(source) || !is_word(code_system) || !parse_role(role_text, role)) {
      problems_.add(ProblemLog::bad_field, file, at,
                    "expected source and code system in capitals, role main/secondary/underlying/contributing/NA");
      return;
    }
    if (value_text != "NA" && !value_text.empty()) {
      const char* end = value_text.data() + value_text.size();
      auto result = std::from_chars(value_text.data(), end, value);
      if (result.ec != std::errc() || result.ptr != end) {
        problems_.add(ProblemLog::bad_field, file, at, fmt::format("value '{}'; expected a number or NA", value_text));
        return;
      }
    }
    const Person& p = persons_[person->second];
    // KUHR dates are months written as their first day: a contact in the birth month is in life.
    Date earliest = p.birth;
    if (source == "KUHR") {
      int y;
      unsigned m, d;
      civil_from_date(p.birth, y, m, d);
      earliest = make_date(y, m, 1);
    }
    Date last = p.death != kNoDate ? p.death : (p.emigration != kNoDate ? p.emigration : INT32_MAX);
    if (*date < earliest || *date > last) {
      problems_.add(ProblemLog::outside_life, file, at,
                    fmt::format("date {} is outside {}..{} of person '{}'", date_text, format_date(p.birth),
                                last == INT32_MAX ? std::string("") : format_date(last), p.id));
      return;
    }
    if (*date < options_.coverage_start || *date > options_.coverage_end) {
      problems_.add(ProblemLog::outside_coverage, file, at,
                    fmt::format("date {} is outside coverage {}..{}", date_text, format_date(options_.coverage_start),
                                format_date(options_.coverage_end)));
      return;
    }
    if (!clean_code(raw_code, code_)) {
      problems_.add(ProblemLog::bad_code, file, at, fmt::format("code '{}'; expected letters and digits", raw_code));
      return;
    }
    key_.assign(source);
    key_ += '\t';
    key_ += code_system;
    key_ += '\t';
    key_ += code_;
    auto [it, added] = code_index_.emplace(key_, static_cast<std::uint32_t>(codes_.size()));
    if (added) codes_.push_back({std::string(source), std::string(code_system), code_});
    events_.person.push_back(person->second);
    events_.date.push_back(*date);
    events_.code.push_back(it->second);
    events_.role.push_back(role);
    events_.value.push_back(value);
  }

  void bad_event_row(const std::string& file, std::uint64_t at, std::size_t n_fields) {
    ++events_read_;
    problems_.add(ProblemLog::bad_field, file, at, fmt::format("{} fields; expected 7", n_fields));
  }
  std::uint64_t events_read() const { return events_read_; }

  IngestReport finish(const std::vector<std::string>& inputs) {
    // Dictionary in (source, code system, code) order, so the store does not depend on row order.
    std::vector<std::uint32_t> order(codes_.size());
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
      return std::tie(codes_[a].source, codes_[a].code_system, codes_[a].code) <
             std::tie(codes_[b].source, codes_[b].code_system, codes_[b].code);
    });
    std::vector<std::uint32_t> remap(codes_.size());
    std::vector<CodeEntry> sorted_codes(codes_.size());
    for (std::uint32_t i = 0; i < order.size(); ++i) {
      remap[order[i]] = i;
      sorted_codes[i] = codes_[order[i]];
    }
    for (auto& c : events_.code) c = remap[c];

    StoreProvenance provenance;
    provenance.inputs = inputs;
    for (const auto& input : inputs) provenance.input_sha256.push_back(sha256_of_file(input));
    provenance.coverage_start = options_.coverage_start;
    provenance.coverage_end = options_.coverage_end;
    if (!options_.key_path.empty()) {
      std::string key = read_key_file(options_.key_path);
      std::unordered_map<std::string, std::uint32_t> seen;
      for (std::uint32_t i = 0; i < persons_.size(); ++i) {
        persons_[i].id = pseudonymise_id(persons_[i].id, key);
        if (!seen.emplace(persons_[i].id, i).second) throw Error("pseudonym collision; use a different key");
      }
      provenance.pseudonymised = true;
    }
    IngestReport report;
    report.persons = persons_.size();
    report.events_read = events_read_;
    report.events_kept = events_.person.size();
    write_event_store(options_.out, persons_, sorted_codes, std::move(events_), provenance);
    report.problems = problems_.take();
    return report;
  }

 private:
  const IngestOptions& options_;
  ProblemLog problems_;
  std::vector<Person> persons_;
  std::unordered_map<std::string, std::uint32_t> index_of_;
  EventColumns events_;
  std::unordered_map<std::string, std::uint32_t> code_index_;
  std::vector<CodeEntry> codes_;
  std::uint64_t events_read_ = 0;
  std::string key_, code_;
};

}  // namespace

IngestReport ingest_long_format(const IngestOptions& options) {
  if (sodium_init() < 0) throw Error("libsodium failed to initialise");
  StoreBuilder builder(options);
  std::vector<std::string_view> fields;
  std::string line;
  {
    LineReader reader(options.persons_path);
    const std::string& file = options.persons_path;
    if (!reader.next(line)) throw InputError(file, 1, "empty file; expected a header line");
    split(line, '\t', fields);
    expect_header(file, line, fields, {"person_id", "sex", "birth_date", "death_date", "emigration_date", "region"});
    while (reader.next(line)) {
      split(line, '\t', fields);
      if (fields.size() != 6) {
        // Reported through the same path as other unreadable person rows.
        builder.add_person(file, reader.line_number(), "", "", "", "", "", "");
        continue;
      }
      builder.add_person(file, reader.line_number(), fields[0], fields[1], fields[2], fields[3], fields[4], fields[5]);
    }
  }
  {
    LineReader reader(options.events_path);
    const std::string& file = options.events_path;
    if (!reader.next(line)) throw InputError(file, 1, "empty file; expected a header line");
    split(line, '\t', fields);
    expect_header(file, line, fields, {"person_id", "date", "source", "code_system", "code", "role", "value"});
    // The row count is unknown until the end (gzip input), so progress is a line per 10 million rows.
    while (reader.next(line)) {
      split(line, '\t', fields);
      if (fields.size() != 7) {
        builder.bad_event_row(file, reader.line_number(), fields.size());
        continue;
      }
      builder.add_event(file, reader.line_number(), fields[0], fields[1], fields[2], fields[3], fields[4], fields[5], fields[6]);
      if (builder.events_read() % 10000000 == 0) log_info(fmt::format("ingest: {} event rows read", builder.events_read()));
    }
    log_info(fmt::format("ingest: {} event rows read from {}", builder.events_read(), file));
  }
  return builder.finish({options.persons_path, options.events_path});
}

IngestReport ingest_omop(const IngestOptions& options) {
  if (sodium_init() < 0) throw Error("libsodium failed to initialise");
  StoreBuilder builder(options);
  detail::read_omop(
      options.omop_path, options.coverage_end,
      [&](const std::string& file, std::uint64_t row, const std::string& id, const std::string& sex,
          const std::string& birth, const std::string& death, const std::string& emigration) {
        builder.add_person(file, row, id, sex, birth, death, emigration, "NA");
      },
      [&](const std::string& table, std::uint64_t row, const std::string& id, const std::string& date,
          const char* source, const char* system, const std::string& code, const char* role, const std::string& value) {
        builder.add_event(options.omop_path + "#" + table, row, id, date, source, system, code, role, value);
      });
  return builder.finish({options.omop_path});
}

IngestReport ingest_mapped(const IngestOptions& options) {
  if (sodium_init() < 0) throw Error("libsodium failed to initialise");
  StoreBuilder builder(options);
  auto inputs = detail::read_mapped(
      options.mapping_path,
      [&](const std::string& file, std::uint64_t row, const std::string& id, const std::string& sex,
          const std::string& birth, const std::string& death, const std::string& emigration) {
        builder.add_person(file, row, id, sex, birth, death, emigration, "NA");
      },
      [&](const std::string& file, std::uint64_t row, const std::string& id, const std::string& date, const char* source,
          const char* system, const std::string& code, const char* role, const std::string& value) {
        builder.add_event(file, row, id, date, source, system, code, role, value);
      });
  return builder.finish(inputs);
}

}  // namespace kohort::registry
