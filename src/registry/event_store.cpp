// Event store layout (one directory):
//   manifest.json        format version, sources with row counts, date range, coverage, input checksums
//   persons.tsv.zst      person_id sex birth death emigration region (text; small beside the events)
//   codes.tsv.zst        source code_system code, one line per dictionary index
//   offsets.u64.zst      events of person i are [offsets[i], offsets[i+1])
//   date.i32.zst, code.u32.zst, role.u8.zst, value.f32.zst   the event columns (native little-endian)
// Every column is one zstd frame at a fixed level, so the same input gives byte-identical files.
#include "registry/event_store.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <cmath>
#include <fmt/format.h>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>

#include "core/error.h"
#include "core/input.h"
#include "core/output.h"

namespace kohort::registry {

std::string_view role_name(Role role) {
  switch (role) {
    case Role::main: return "main";
    case Role::secondary: return "secondary";
    case Role::underlying: return "underlying";
    case Role::contributing: return "contributing";
    default: return "NA";
  }
}

bool parse_role(std::string_view text, Role& role) {
  if (text == "NA" || text.empty()) role = Role::none;
  else if (text == "main") role = Role::main;
  else if (text == "secondary") role = Role::secondary;
  else if (text == "underlying") role = Role::underlying;
  else if (text == "contributing") role = Role::contributing;
  else return false;
  return true;
}

Date EventStore::end_of_followup(std::size_t person) const {
  Date end = coverage_end_;
  const Person& p = persons_[person];
  if (p.death != kNoDate) end = std::min(end, p.death);
  if (p.emigration != kNoDate) end = std::min(end, p.emigration);
  return end;
}

namespace {

constexpr int kFormatVersion = 1;
constexpr int kZstdLevel = 3;

std::string date_or_na(Date date) { return date == kNoDate ? std::string("NA") : format_date(date); }

void write_compressed(const std::filesystem::path& path, const void* data, std::size_t size) {
  std::string buffer(ZSTD_compressBound(size), '\0');
  std::size_t written = ZSTD_compress(buffer.data(), buffer.size(), data, size, kZstdLevel);
  if (ZSTD_isError(written)) throw Error(fmt::format("zstd compression of {} failed: {}", path.string(), ZSTD_getErrorName(written)));
  OutputFile file(path);
  file.write(buffer.data(), written);
  file.commit();
}

template <typename T>
void write_column(const std::filesystem::path& path, const std::vector<T>& column) {
  write_compressed(path, column.data(), column.size() * sizeof(T));
}

// Memory-maps a compressed column file and decompresses it.
std::string read_compressed(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) throw InputError(path.string(), "cannot open event store file; is this a directory written by kohort ingest?");
  struct stat info {};
  ::fstat(fd, &info);
  std::size_t size = static_cast<std::size_t>(info.st_size);
  void* mapped = size ? ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0) : nullptr;
  ::close(fd);
  if (size && mapped == MAP_FAILED) throw Error("cannot memory-map " + path.string());
  std::string out;
  if (size) {
    unsigned long long content = ZSTD_getFrameContentSize(mapped, size);
    if (content == ZSTD_CONTENTSIZE_ERROR || content == ZSTD_CONTENTSIZE_UNKNOWN) {
      ::munmap(mapped, size);
      throw InputError(path.string(), "not a zstd frame written by kohort ingest");
    }
    out.resize(content);
    std::size_t got = ZSTD_decompress(out.data(), out.size(), mapped, size);
    ::munmap(mapped, size);
    if (ZSTD_isError(got) || got != content) throw InputError(path.string(), "corrupt event store column");
  }
  return out;
}

template <typename T>
std::vector<T> read_column(const std::filesystem::path& path, std::size_t expected) {
  std::string bytes = read_compressed(path);
  if (bytes.size() != expected * sizeof(T))
    throw InputError(path.string(), fmt::format("column has {} bytes, expected {}", bytes.size(), expected * sizeof(T)));
  std::vector<T> column(expected);
  if (expected) std::memcpy(column.data(), bytes.data(), bytes.size());
  return column;
}

Date parse_date_or_na(std::string_view text, const std::string& file, std::uint64_t line) {
  if (text == "NA") return kNoDate;
  auto date = parse_date(text);
  if (!date) throw InputError(file, line, "bad date in event store");
  return *date;
}

}  // namespace

void write_event_store(const std::filesystem::path& directory, const std::vector<Person>& persons,
                       const std::vector<CodeEntry>& codes, EventColumns events, const StoreProvenance& provenance) {
  std::size_t n = events.person.size();
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    if (events.person[a] != events.person[b]) return events.person[a] < events.person[b];
    return events.date[a] < events.date[b];
  });
  EventColumns sorted;
  sorted.date.resize(n);
  sorted.code.resize(n);
  sorted.role.resize(n);
  sorted.value.resize(n);
  std::vector<std::uint64_t> offsets(persons.size() + 1, 0);
  for (std::size_t i = 0; i < n; ++i) {
    std::uint32_t k = order[i];
    sorted.date[i] = events.date[k];
    sorted.code[i] = events.code[k];
    sorted.role[i] = events.role[k];
    sorted.value[i] = events.value[k];
    ++offsets[events.person[k] + 1];
  }
  std::partial_sum(offsets.begin(), offsets.end(), offsets.begin());

  OutputDirectory out(directory);
  std::string text;
  for (const Person& p : persons)
    text += fmt::format("{}\t{}\t{}\t{}\t{}\t{}\n", p.id, p.sex, date_or_na(p.birth), date_or_na(p.death),
                        date_or_na(p.emigration), p.region.empty() ? "NA" : p.region);
  write_compressed(out.file("persons.tsv.zst"), text.data(), text.size());
  text.clear();
  for (const CodeEntry& c : codes) text += fmt::format("{}\t{}\t{}\n", c.source, c.code_system, c.code);
  write_compressed(out.file("codes.tsv.zst"), text.data(), text.size());
  write_column(out.file("offsets.u64.zst"), offsets);
  write_column(out.file("date.i32.zst"), sorted.date);
  write_column(out.file("code.u32.zst"), sorted.code);
  write_column(out.file("role.u8.zst"), sorted.role);
  write_column(out.file("value.f32.zst"), sorted.value);

  // Sources with their row counts (ordered map: deterministic), and the date range.
  std::map<std::string, std::uint64_t> rows_per_source;
  for (std::size_t i = 0; i < n; ++i) ++rows_per_source[codes[sorted.code[i]].source];
  nlohmann::ordered_json manifest;
  manifest["format"] = "kohort-event-store";
  manifest["version"] = kFormatVersion;
  manifest["persons"] = persons.size();
  manifest["events"] = n;
  manifest["codes"] = codes.size();
  manifest["pseudonymised"] = provenance.pseudonymised;
  nlohmann::ordered_json sources = nlohmann::ordered_json::object();
  for (const auto& [source, rows] : rows_per_source) sources[source] = rows;
  manifest["sources"] = sources;
  if (n) {
    auto [lo, hi] = std::minmax_element(sorted.date.begin(), sorted.date.end());
    manifest["date_range"] = {{"first", format_date(*lo)}, {"last", format_date(*hi)}};
  }
  manifest["coverage"] = {{"start", date_or_na(provenance.coverage_start)}, {"end", date_or_na(provenance.coverage_end)}};
  nlohmann::ordered_json inputs = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < provenance.inputs.size(); ++i)
    inputs.push_back({{"path", provenance.inputs[i]}, {"sha256", provenance.input_sha256[i]}});
  manifest["inputs"] = inputs;
  std::string json = manifest.dump(2) + "\n";
  OutputFile manifest_file(out.file("manifest.json"));
  manifest_file.write(json);
  manifest_file.commit();
  out.commit();
}

EventStore::EventStore(const std::filesystem::path& directory) {
  auto manifest_path = directory / "manifest.json";
  nlohmann::json manifest;
  {
    LineReader reader(manifest_path.string());
    std::string line, all;
    while (reader.next(line)) all += line + "\n";
    try {
      manifest = nlohmann::json::parse(all);
    } catch (const std::exception& e) {
      throw InputError(manifest_path.string(), std::string("not a kohort event store manifest: ") + e.what());
    }
  }
  if (manifest.value("format", "") != "kohort-event-store" || manifest.value("version", 0) != kFormatVersion)
    throw InputError(manifest_path.string(), fmt::format("not an event store of format version {}", kFormatVersion));
  std::size_t n_persons = manifest["persons"].get<std::size_t>();
  std::size_t n_events = manifest["events"].get<std::size_t>();
  coverage_start_ = parse_date_or_na(manifest["coverage"]["start"].get<std::string>(), manifest_path.string(), 0);
  coverage_end_ = parse_date_or_na(manifest["coverage"]["end"].get<std::string>(), manifest_path.string(), 0);

  std::vector<std::string_view> fields;
  std::string text = read_compressed(directory / "persons.tsv.zst");
  std::string file = (directory / "persons.tsv.zst").string();
  std::size_t start = 0;
  std::uint64_t line = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    split(std::string_view(text).substr(start, end - start), '\t', fields);
    ++line;
    if (fields.size() != 6) throw InputError(file, line, "expected 6 fields");
    Person p;
    p.id = fields[0];
    p.sex = fields[1].empty() ? 'U' : fields[1][0];
    p.birth = parse_date_or_na(fields[2], file, line);
    p.death = parse_date_or_na(fields[3], file, line);
    p.emigration = parse_date_or_na(fields[4], file, line);
    p.region = fields[5];
    persons_.push_back(std::move(p));
    start = end + 1;
  }
  if (persons_.size() != n_persons) throw InputError(file, "person count differs from the manifest");
  text = read_compressed(directory / "codes.tsv.zst");
  file = (directory / "codes.tsv.zst").string();
  start = 0;
  line = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    split(std::string_view(text).substr(start, end - start), '\t', fields);
    ++line;
    if (fields.size() != 3) throw InputError(file, line, "expected 3 fields");
    codes_.push_back({std::string(fields[0]), std::string(fields[1]), std::string(fields[2])});
    start = end + 1;
  }
  offsets_ = read_column<std::uint64_t>(directory / "offsets.u64.zst", n_persons + 1);
  for (std::size_t i = 0; i < n_persons; ++i)
    if (offsets_[i] > offsets_[i + 1]) throw InputError((directory / "offsets.u64.zst").string(), "offsets not sorted");
  if (offsets_[n_persons] != n_events) throw InputError((directory / "offsets.u64.zst").string(), "offsets do not end at the event count");
  events_.date = read_column<Date>(directory / "date.i32.zst", n_events);
  events_.code = read_column<std::uint32_t>(directory / "code.u32.zst", n_events);
  events_.role = read_column<Role>(directory / "role.u8.zst", n_events);
  events_.value = read_column<float>(directory / "value.f32.zst", n_events);
  for (std::uint32_t c : events_.code)
    if (c >= codes_.size()) throw InputError((directory / "code.u32.zst").string(), "code index outside the dictionary");
  // The person column is implied by the offsets; rebuild it for callers that scan events flat.
  events_.person.resize(n_events);
  for (std::size_t i = 0; i < n_persons; ++i)
    std::fill(events_.person.begin() + static_cast<std::ptrdiff_t>(offsets_[i]),
              events_.person.begin() + static_cast<std::ptrdiff_t>(offsets_[i + 1]), static_cast<std::uint32_t>(i));
}

}  // namespace kohort::registry
