// The starter library endpoints/ loads, validates, and every endpoint has a one-line description.
#include <gtest/gtest.h>

#include <set>

#include "endpoint/definition.h"

using namespace kohort::endpoint;

TEST(StarterLibrary, AtLeastFortyDescribedEndpointsCoveringEveryArea) {
  auto defs = validate_and_order(read_definitions(std::string(KOHORT_SOURCE_DIR) + "/endpoints"));
  EXPECT_GE(defs.size(), 40u);
  std::set<std::string> sources;
  for (const auto& d : defs) {
    EXPECT_FALSE(d.description.empty()) << d.name;
    EXPECT_EQ(d.description.find('\n'), std::string::npos) << d.name;
    for (const auto& r : d.rules) sources.insert(r.source);
  }
  for (const char* s : {"NPR", "KUHR", "LMR", "DAR", "KREFT", "SYSVAK", "MSIS"}) EXPECT_TRUE(sources.count(s)) << s;
}

TEST(FinnGenImport, MapsColumnsOntoNorwegianSources) {
  auto defs = parse_finngen_table(std::string(KOHORT_SOURCE_DIR) + "/tests/endpoint/data/finngen_twin.tsv");
  ASSERT_GE(defs.size(), 2u);
  const Definition& t2d = defs[0];
  EXPECT_EQ(t2d.name, "E4_T2D");
  ASSERT_EQ(t2d.rules.size(), 4u);
  EXPECT_EQ(t2d.rules[0].source, "NPR");
  EXPECT_EQ(t2d.rules[1].source, "DAR");
  EXPECT_EQ(t2d.rules[2].source, "LMR");
  EXPECT_EQ(t2d.rules[2].min_events, 3);
  EXPECT_TRUE(t2d.rules[2].need_other);
  EXPECT_EQ(t2d.rules[3].source, "KUHR");
  EXPECT_TRUE(defs[1].rules[0].main_only);
}
