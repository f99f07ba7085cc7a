// Each rule kind on hand-built person histories, and the errors for malformed definitions.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "endpoint/definition.h"
#include "endpoint/evaluate.h"
#include "registry/event_store.h"

namespace fs = std::filesystem;
using namespace kohort;
using namespace kohort::endpoint;
using registry::Role;

namespace {

struct Ev {
  int person;
  const char* date;
  const char* source;
  const char* system;
  const char* code;
  Role role = Role::none;
};

// Persons: 0 man born 1960, 1 woman born 1960, 2 woman born 2000, 3 man born 1940.
class History {
 public:
  explicit History(const std::vector<Ev>& events) {
    // The process id keeps tests that ctest runs in parallel (one process each) apart.
    dir_ = fs::temp_directory_path() / ("kohort_endpoint_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
    fs::remove_all(dir_);
    std::vector<registry::Person> persons = {{"m1960", 'M', make_date(1960, 1, 1), registry::kNoDate, registry::kNoDate, "03"},
                                             {"f1960", 'F', make_date(1960, 1, 1), registry::kNoDate, registry::kNoDate, "03"},
                                             {"f2000", 'F', make_date(2000, 7, 1), registry::kNoDate, registry::kNoDate, "03"},
                                             {"m1940", 'M', make_date(1940, 1, 1), registry::kNoDate, registry::kNoDate, "03"}};
    std::vector<registry::CodeEntry> codes;
    registry::EventColumns columns;
    for (const Ev& e : events) {
      codes.push_back({e.source, e.system, e.code});
      columns.person.push_back(static_cast<std::uint32_t>(e.person));
      columns.date.push_back(*parse_date(e.date));
      columns.code.push_back(static_cast<std::uint32_t>(codes.size() - 1));
      columns.role.push_back(e.role);
      columns.value.push_back(0);
    }
    registry::StoreProvenance provenance;
    provenance.coverage_start = make_date(2008, 1, 1);
    provenance.coverage_end = make_date(2024, 12, 31);
    registry::write_event_store(dir_, persons, codes, columns, provenance);
    store_.emplace(dir_);
  }
  ~History() { fs::remove_all(dir_); }

  // Evaluates TOML definitions; returns status per person of endpoint `name`, plus dates/nevt via out params.
  std::vector<PersonEndpoint> run(const std::string& toml, const std::string& name) {
    auto defs = validate_and_order(parse_toml_definitions(toml, "test.toml"));
    EndpointEvaluator evaluator(*store_, defs);
    std::vector<PersonEndpoint> all;
    evaluator.evaluate(0, 4, all);
    std::size_t e = 0;
    while (evaluator.definitions()[e].name != name) ++e;
    std::vector<PersonEndpoint> out;
    for (std::size_t p = 0; p < 4; ++p) out.push_back(all[p * evaluator.definitions().size() + e]);
    return out;
  }
  std::vector<int> statuses(const std::string& toml, const std::string& name) {
    std::vector<int> out;
    for (const auto& r : run(toml, name)) out.push_back(r.status);
    return out;
  }

 private:
  static inline int counter_ = 0;
  fs::path dir_;
  std::optional<registry::EventStore> store_;
};

const int NA = kExcluded;

}  // namespace

TEST(Rules, CodePatternIsAnchoredAtStartAndGivesFirstDateAndCount) {
  History h({{0, "2010-01-01", "NPR", "ICD10", "I500", Role::main},
             {0, "2012-01-01", "NPR", "ICD10", "I501", Role::secondary},
             {1, "2011-01-01", "NPR", "ICD10", "XI50", Role::main},   // not at the start
             {2, "2011-01-01", "KUHR", "ICPC2", "I50", Role::none}}); // other source
  auto r = h.run("[HF]\nNPR = { codes = \"I5[0-9]\" }\n", "HF");
  EXPECT_EQ(r[0].status, kCase);
  EXPECT_EQ(r[0].date, make_date(2010, 1, 1));
  EXPECT_EQ(r[0].events, 2u);
  EXPECT_EQ(r[1].status, kControl);
  EXPECT_EQ(r[2].status, kControl);
  EXPECT_EQ(r[3].status, kControl);
}

TEST(Rules, MainOnlyIgnoresSecondaryDiagnoses) {
  History h({{0, "2010-01-01", "NPR", "ICD10", "I50", Role::main},
             {1, "2010-01-01", "NPR", "ICD10", "I50", Role::secondary},
             {2, "2010-01-01", "DAR", "ICD10", "I50", Role::contributing},
             {3, "2010-01-01", "DAR", "ICD10", "I50", Role::underlying}});
  EXPECT_EQ(h.statuses("[HF]\nNPR = { codes = \"I50\", main_only = true }\nDAR = { codes = \"I50\", main_only = true }\n", "HF"),
            (std::vector<int>{1, 0, 0, 1}));
  EXPECT_EQ(h.statuses("[HF]\nNPR = { codes = \"I50\" }\nDAR = { codes = \"I50\" }\n", "HF"), (std::vector<int>{1, 1, 1, 1}));
}

TEST(Rules, ExclusionPatternRemovesMatchingCodes) {
  History h({{0, "2010-01-01", "NPR", "ICD10", "I251", Role::main}, {1, "2010-01-01", "NPR", "ICD10", "I21", Role::main}});
  EXPECT_EQ(h.statuses("[IHD]\nNPR = { codes = \"I2[0-5]\", exclude = \"I25\" }\n", "IHD"), (std::vector<int>{0, 1, 0, 0}));
}

TEST(Rules, DispensingsNeedThreeByDefaultAndMinEventsOverrides) {
  History h({{0, "2010-01-01", "LMR", "ATC", "A10BA02"}, {0, "2010-04-01", "LMR", "ATC", "A10BA02"},
             {1, "2010-01-01", "LMR", "ATC", "A10BA02"}, {1, "2010-04-01", "LMR", "ATC", "A10BB01"},
             {1, "2010-07-01", "LMR", "ATC", "A10BA02"}});
  auto r = h.run("[DM]\nLMR = { codes = \"A10B\" }\n", "DM");
  EXPECT_EQ(r[0].status, kControl);
  EXPECT_EQ(r[1].status, kCase);
  EXPECT_EQ(r[1].date, make_date(2010, 1, 1));
  EXPECT_EQ(r[1].events, 3u);
  EXPECT_EQ(h.statuses("[DM]\nLMR = { codes = \"A10B\", min_events = 2 }\n", "DM"), (std::vector<int>{1, 1, 0, 0}));
  EXPECT_EQ(h.statuses("[DM]\nNPR = { codes = \"E11\", min_events = 1 }\nLMR = { codes = \"A10B\", min_events = 1, need_other = true }\n", "DM"),
            (std::vector<int>{0, 0, 0, 0}));
}

TEST(Rules, SexRestrictionMakesOtherSexNA) {
  History h({{0, "2010-01-01", "NPR", "ICD10", "C50", Role::main}, {1, "2010-01-01", "NPR", "ICD10", "C50", Role::main}});
  EXPECT_EQ(h.statuses("[BC]\nsex = \"F\"\nNPR = { codes = \"C50\" }\n", "BC"), (std::vector<int>{NA, 1, 0, NA}));
}

TEST(Rules, AgeWindowAtTheEvent) {
  // Man born 1960: age 49 on 2009-12-31, 50 on 2010-01-01. Woman born 2000-07-01: 9 on 2010-06-30.
  History h({{0, "2009-12-31", "NPR", "ICD10", "E11", Role::main}, {1, "2010-01-01", "NPR", "ICD10", "E11", Role::main},
             {2, "2010-06-30", "NPR", "ICD10", "E11", Role::main}, {3, "2010-06-30", "NPR", "ICD10", "E11", Role::main}});
  EXPECT_EQ(h.statuses("[T2D]\nage_min = 10\nage_max = 50\nNPR = { codes = \"E11\" }\n", "T2D"), (std::vector<int>{1, 1, 0, 0}));
  EXPECT_EQ(h.statuses("[T2D]\nage_min = 50\nNPR = { codes = \"E11\" }\n", "T2D"), (std::vector<int>{0, 1, 0, 1}));
}

TEST(Rules, IncludeAddsCasesOfOtherEndpointsWithEarliestDate) {
  History h({{0, "2012-01-01", "NPR", "ICD10", "I21", Role::main}, {0, "2010-01-01", "NPR", "ICD10", "I63", Role::main},
             {1, "2011-01-01", "NPR", "ICD10", "I63", Role::main}});
  auto r = h.run("[MI]\nNPR = { codes = \"I21\" }\n[STROKE]\nNPR = { codes = \"I63\" }\n[CVD]\ninclude = [\"MI\", \"STROKE\"]\n", "CVD");
  EXPECT_EQ(r[0].status, kCase);
  EXPECT_EQ(r[0].date, make_date(2010, 1, 1));
  EXPECT_EQ(r[0].events, 2u);
  EXPECT_EQ(r[1].status, kCase);
  EXPECT_EQ(r[2].status, kControl);
}

TEST(Rules, ConditionsFilterCasesByOtherEndpoints) {
  History h({{0, "2010-01-01", "NPR", "ICD10", "E11", Role::main}, {0, "2010-01-01", "NPR", "ICD10", "E10", Role::main},
             {1, "2010-01-01", "NPR", "ICD10", "E11", Role::main},
             {2, "2010-01-01", "NPR", "ICD10", "E11", Role::main}, {2, "2011-01-01", "NPR", "ICD10", "I10", Role::main},
             {2, "2012-01-01", "NPR", "ICD10", "I10", Role::main}});
  std::string base = "[T1D]\nNPR = { codes = \"E10\" }\n[HT]\nNPR = { codes = \"I10\" }\n";
  EXPECT_EQ(h.statuses(base + "[T2D]\nconditions = \"!T1D\"\nNPR = { codes = \"E11\" }\n", "T2D"), (std::vector<int>{0, 1, 1, 0}));
  EXPECT_EQ(h.statuses(base + "[T2D]\nconditions = \"!T1D & HT_NEVT>=2\"\nNPR = { codes = \"E11\" }\n", "T2D"), (std::vector<int>{0, 0, 1, 0}));
  EXPECT_EQ(h.statuses(base + "[T2D]\nconditions = \"T1D | (HT & !HT_NEVT>2)\"\nNPR = { codes = \"E11\" }\n", "T2D"), (std::vector<int>{1, 0, 1, 0}));
}

TEST(Rules, ControlExclusionMakesOtherCasesNA) {
  History h({{0, "2010-01-01", "NPR", "ICD10", "I21", Role::main}, {1, "2010-01-01", "NPR", "ICD10", "I20", Role::main},
             {2, "2010-01-01", "NPR", "ICD10", "I21", Role::main}, {2, "2010-01-01", "NPR", "ICD10", "I20", Role::main}});
  EXPECT_EQ(h.statuses("[ANGINA]\nNPR = { codes = \"I20\" }\n[MI]\ncontrol_exclude = [\"ANGINA\"]\nNPR = { codes = \"I21\" }\n", "MI"),
            (std::vector<int>{1, NA, 1, 0}));
}

TEST(Rules, CodeSystemSuffixSelectsOneCodeSystem) {
  History h({{0, "2010-01-01", "NPR", "NCSP", "FNG05"}, {1, "2010-01-01", "NPR", "ICD10", "FNG05", Role::main}});
  EXPECT_EQ(h.statuses("[PCI]\nNPR_NCSP = { codes = \"FNG\" }\n", "PCI"), (std::vector<int>{1, 0, 0, 0}));
}

namespace {
std::string error_of(const std::string& toml) {
  try {
    validate_and_order(parse_toml_definitions(toml, "defs.toml"));
  } catch (const InputError& e) {
    return e.what() + std::string(" @") + e.file();
  }
  return "no error";
}
}  // namespace

TEST(Definitions, MalformedDefinitionsGiveClearErrors) {
  std::string bad_regex = error_of("[OK]\nNPR = { codes = \"I50\" }\n[BAD]\nNPR = { codes = \"I5[0\" }\n");
  EXPECT_NE(bad_regex.find("endpoint BAD"), std::string::npos) << bad_regex;
  EXPECT_NE(bad_regex.find("regular expression"), std::string::npos) << bad_regex;
  EXPECT_NE(bad_regex.find("defs.toml:3"), std::string::npos) << bad_regex;
  std::string unknown = error_of("[A]\ninclude = [\"NOPE\"]\n");
  EXPECT_NE(unknown.find("endpoint A: INCLUDE names unknown endpoint NOPE"), std::string::npos) << unknown;
  std::string cycle = error_of("[A]\ninclude = [\"B\"]\n[B]\nconditions = \"C\"\nNPR = { codes = \"I\" }\n[C]\ncontrol_exclude = [\"A\"]\n");
  EXPECT_NE(cycle.find("cycle: A -> B -> C -> A"), std::string::npos) << cycle;
  std::string typo = error_of("[A]\nNPR = { code = \"I50\" }\n");
  EXPECT_NE(typo.find("NPR.code: unknown field"), std::string::npos) << typo;
  std::string condition = error_of("[A]\nconditions = \"B &\"\n[B]\n");
  EXPECT_NE(condition.find("CONDITIONS 'B &'"), std::string::npos) << condition;
}

TEST(Definitions, DependenciesComeFirst) {
  auto defs = validate_and_order(parse_toml_definitions("[A]\ninclude = [\"B\"]\n[B]\nNPR = { codes = \"I\" }\n", "x.toml"));
  ASSERT_EQ(defs.size(), 2u);
  EXPECT_EQ(defs[0].name, "B");
  EXPECT_EQ(defs[1].name, "A");
}
