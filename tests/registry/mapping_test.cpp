// Native extracts through a TOML mapping: separators, dd.mm.yyyy and year-month dates, wide
// diagnosis columns turned long with main/secondary kept, code clean-up; and OMOP-style dates.
#include <gtest/gtest.h>

#include <filesystem>

#include "registry/event_store.h"
#include "registry/ingest.h"
#include "registry/mapping.h"

namespace fs = std::filesystem;
using namespace kohort;
using namespace kohort::registry;

TEST(Mapping, DateFormats) {
  EXPECT_EQ(detail::reformat_date("05.03.2012", "%d.%m.%Y"), "2012-03-05");
  EXPECT_EQ(detail::reformat_date("2014-07", "%Y-%m"), "2014-07-01");
  EXPECT_EQ(detail::reformat_date("20140731", "%Y%m%d"), "2014-07-31");
  EXPECT_EQ(detail::reformat_date("", "%Y%m%d"), "NA");
  EXPECT_EQ(detail::reformat_date("2014-7", "%Y-%m"), "2014-7");  // left for validation to report
}

TEST(Mapping, WideNativeExtractsBecomeLongEvents) {
  fs::path out = fs::temp_directory_path() / "kohort_registry_mapping_store";
  fs::remove_all(out);
  IngestOptions options;
  options.mapping_path = std::string(KOHORT_SOURCE_DIR) + "/tests/registry/data/native/mapping.toml";
  options.out = out.string();
  auto report = ingest_mapped(options);
  EXPECT_EQ(report.persons, 2u);
  EXPECT_EQ(report.events_read, 9u);
  EXPECT_EQ(report.events_kept, 8u);  // KUHR 2021 contact after emigration in 2020 is dropped
  EventStore store(out);
  ASSERT_EQ(store.persons().size(), 2u);
  EXPECT_EQ(store.persons()[0].id, "1001");
  EXPECT_EQ(store.persons()[0].sex, 'M');
  EXPECT_EQ(store.persons()[0].birth, make_date(1950, 6, 15));
  EXPECT_EQ(store.persons()[1].sex, 'F');
  EXPECT_EQ(store.persons()[1].emigration, make_date(2020, 4, 3));
  ASSERT_EQ(store.person_begin(1), 6u);
  const auto& ev = store.events();
  auto code = [&](std::size_t i) { return store.codes()[ev.code[i]].code; };
  EXPECT_EQ(code(0), "I500");
  EXPECT_EQ(ev.role[0], Role::main);
  EXPECT_EQ(ev.date[0], make_date(2012, 3, 5));
  EXPECT_EQ(code(1), "E119");
  EXPECT_EQ(ev.role[1], Role::secondary);
  EXPECT_EQ(code(2), "I21");
  EXPECT_EQ(code(4), "I10");
  EXPECT_EQ(ev.role[4], Role::secondary);
  EXPECT_EQ(code(5), "T90");
  EXPECT_EQ(store.codes()[ev.code[5]].source, "KUHR");
  EXPECT_EQ(ev.date[5], make_date(2014, 7, 1));
  EXPECT_EQ(code(7), "R96");
  fs::remove_all(out);
}
