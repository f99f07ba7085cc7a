// Ingest of the long format: validation counts, strict errors, determinism, pseudonyms, store round trip.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "registry/event_store.h"
#include "registry/ingest.h"

namespace fs = std::filesystem;
using namespace kohort;
using namespace kohort::registry;

namespace {

fs::path scratch(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("kohort_registry_test_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void write(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

const char* kPersons =
    "person_id\tsex\tbirth_date\tdeath_date\temigration_date\tregion\n"
    "p2\tF\t1950-06-15\t2020-03-01\tNA\t03\n"
    "p1\tM\t2010-03-15\tNA\tNA\t46\n"
    "p1\tF\t1990-01-01\tNA\tNA\t46\n";  // duplicate id

const char* kEvents =
    "person_id\tdate\tsource\tcode_system\tcode\trole\tvalue\n"
    "p1\t2012-05-01\tNPR\tICD10\tJ45\tmain\tNA\n"
    "p2\t2015-01-01\tLMR\tATC\tC03CA01\tNA\t30\n"
    "p1\t2010-03-01\tKUHR\tICPC2\tr96\tNA\tNA\n"         // birth month at month resolution: kept, code upper-cased
    "p2\t2011-02-03\tNPR\tICD10\tI50.0\tmain\tNA\n"      // dot removed
    "p3\t2012-01-01\tNPR\tICD10\tI50\tmain\tNA\n"        // unknown person
    "p2\t2021-01-01\tNPR\tICD10\tI50\tmain\tNA\n"        // after death
    "p2\t2005-01-01\tNPR\tICD10\tJ45\tmain\tNA\n"        // before coverage
    "p1\t2013-01-01\tNPR\tICD10\tJ4$5\tmain\tNA\n"       // bad code
    "p1\t2013-13-01\tNPR\tICD10\tJ45\tmain\tNA\n"        // bad date
    "p2\t2011-02-03\tNPR\tICD10\tI10\tsecondary\tNA\n";

IngestOptions options_for(const fs::path& dir) {
  write(dir / "persons.tsv", kPersons);
  write(dir / "events.tsv", kEvents);
  IngestOptions options;
  options.persons_path = (dir / "persons.tsv").string();
  options.events_path = (dir / "events.tsv").string();
  options.out = (dir / "store").string();
  return options;
}

std::uint64_t count_of(const IngestReport& report, const std::string& kind_part) {
  for (const auto& p : report.problems)
    if (p.kind.find(kind_part) != std::string::npos) return p.count;
  ADD_FAILURE() << "no problem kind " << kind_part;
  return 0;
}

}  // namespace

TEST(Ingest, CountsEachProblemAndKeepsValidRows) {
  auto dir = scratch("counts");
  auto report = ingest_long_format(options_for(dir));
  EXPECT_EQ(report.persons, 2u);
  EXPECT_EQ(report.events_read, 10u);
  EXPECT_EQ(report.events_kept, 5u);
  EXPECT_EQ(count_of(report, "duplicate"), 1u);
  EXPECT_EQ(count_of(report, "unknown person"), 1u);
  EXPECT_EQ(count_of(report, "outside the person"), 1u);
  EXPECT_EQ(count_of(report, "coverage"), 1u);
  EXPECT_EQ(count_of(report, "unparseable code"), 1u);
  EXPECT_EQ(count_of(report, "event date"), 1u);
  EXPECT_NE(report.problems[0].examples.at(0).find("persons.tsv:4"), std::string::npos);
}

TEST(Ingest, StoreIsSortedDictionaryEncodedAndReadable) {
  auto dir = scratch("store");
  ingest_long_format(options_for(dir));
  EventStore store(dir / "store");
  ASSERT_EQ(store.persons().size(), 2u);
  EXPECT_EQ(store.persons()[0].id, "p2");
  EXPECT_EQ(store.persons()[0].death, make_date(2020, 3, 1));
  EXPECT_EQ(store.persons()[1].sex, 'M');
  // p2 (index 0): I500 and I10 on 2011-02-03 then C03CA01 in 2015; p1: R96 in 2010, J45 in 2012.
  ASSERT_EQ(store.person_begin(1), 3u);
  ASSERT_EQ(store.person_begin(2), 5u);
  const auto& ev = store.events();
  auto code = [&](std::size_t i) { return store.codes()[ev.code[i]].code; };
  EXPECT_EQ(code(0), "I500");
  EXPECT_EQ(ev.role[0], Role::main);
  EXPECT_EQ(code(1), "I10");
  EXPECT_EQ(ev.role[1], Role::secondary);
  EXPECT_EQ(code(2), "C03CA01");
  EXPECT_FLOAT_EQ(ev.value[2], 30.0f);
  EXPECT_TRUE(std::isnan(ev.value[0]));
  EXPECT_EQ(code(3), "R96");
  EXPECT_EQ(ev.date[3], make_date(2010, 3, 1));
  EXPECT_EQ(code(4), "J45");
  // Dictionary sorted by (source, code system, code).
  for (std::size_t i = 1; i < store.codes().size(); ++i) {
    const auto& a = store.codes()[i - 1];
    const auto& b = store.codes()[i];
    EXPECT_LT(std::tie(a.source, a.code_system, a.code), std::tie(b.source, b.code_system, b.code));
  }
  EXPECT_EQ(store.end_of_followup(0), make_date(2020, 3, 1));
  EXPECT_EQ(store.end_of_followup(1), make_date(2024, 12, 31));
  std::string manifest = slurp(dir / "store" / "manifest.json");
  EXPECT_NE(manifest.find("\"NPR\": 3"), std::string::npos) << manifest;
  EXPECT_NE(manifest.find("sha256"), std::string::npos);
}

TEST(Ingest, SameInputGivesByteIdenticalStore) {
  auto dir = scratch("determinism");
  auto options = options_for(dir);
  ingest_long_format(options);
  fs::rename(dir / "store", dir / "first");
  ingest_long_format(options);
  for (const auto& entry : fs::directory_iterator(dir / "first"))
    EXPECT_EQ(slurp(entry.path()), slurp(dir / "store" / entry.path().filename())) << entry.path();
}

TEST(Ingest, StrictStopsAtFirstProblemWithFileAndLineAndWritesNothing) {
  auto dir = scratch("strict");
  auto options = options_for(dir);
  options.strict = true;
  try {
    ingest_long_format(options);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.line(), 4u);
    EXPECT_NE(e.file().find("persons.tsv"), std::string::npos);
  }
  EXPECT_FALSE(fs::exists(dir / "store"));
}

TEST(Ingest, PseudonymiseReplacesIdsWithKeyedHash) {
  auto dir = scratch("pseudo");
  auto options = options_for(dir);
  write(dir / "key", "0123456789abcdef0123456789abcdef\n");
  options.key_path = (dir / "key").string();
  ingest_long_format(options);
  EventStore store(dir / "store");
  std::string key = read_key_file(options.key_path);
  EXPECT_EQ(key.size(), 32u);
  EXPECT_EQ(store.persons()[0].id, pseudonymise_id("p2", key));
  EXPECT_EQ(store.persons()[0].id.size(), 16u);
  EXPECT_NE(pseudonymise_id("p2", key), pseudonymise_id("p2", key + "x"));
  write(dir / "short", "abc");
  EXPECT_THROW(read_key_file((dir / "short").string()), InputError);
}

TEST(Ingest, CleanCode) {
  std::string code;
  EXPECT_TRUE(clean_code(" e11.9 ", code));
  EXPECT_EQ(code, "E119");
  EXPECT_FALSE(clean_code("E1-1", code));
  EXPECT_FALSE(clean_code("..", code));
}
