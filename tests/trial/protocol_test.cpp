#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
#include "trial/protocol.h"

using namespace kohort::trial;

namespace {

const std::string kMinimal = R"([trial]
name = "A vs B"
[enrolment]
start = "2014-01-01"
end = "2020-12-31"
[treatment]
atc = ["A10BK"]
[comparator]
atc = ["A10BH01"]
[outcome]
endpoint = "HEART_FAILURE"
)";

// The message of the InputError thrown by parsing `text`, or "" when it parses.
std::string error_of(const std::string& text) {
  try {
    parse_protocol(text, "p.toml");
  } catch (const kohort::InputError& e) {
    return std::string(e.what()) + " @" + std::to_string(e.line());
  }
  return "";
}

}  // namespace

TEST(Protocol, AtcPrefixesFollowTheLevels) {
  for (const char* ok : {"A", "A10", "A10B", "A10BK", "A10BK01", "C09AA05"}) EXPECT_TRUE(is_atc_prefix(ok)) << ok;
  for (const char* bad : {"", "a10", "A1", "A10B*", "A10BK0", "A10BK011", "A10.B", "A10[BK]", "10BK", "A10bk"})
    EXPECT_FALSE(is_atc_prefix(bad)) << bad;
}

TEST(Protocol, DefaultsOfAMinimalProtocol) {
  Protocol p = parse_protocol(kMinimal, "p.toml");
  EXPECT_EQ(p.name, "A vs B");
  EXPECT_EQ(p.estimand, Estimand::kIntentionToTreat);
  EXPECT_EQ(p.treatment.name, "treatment");
  EXPECT_EQ(p.comparator.atc, std::vector<std::string>{"A10BH01"});
  EXPECT_EQ(p.outcome.follow_up_days, 5 * 365);
  EXPECT_EQ(p.enrolment.washout_days, 365);
  EXPECT_EQ(p.analysis.adjustment, Adjustment::kWeighting);
  EXPECT_EQ(p.analysis.horizons_days, (std::vector<int>{365, 730, 1825}));
  EXPECT_EQ(p.analysis.suppress_below, 5);
}

TEST(Protocol, ReadsEveryAnalysisChoice) {
  Protocol p = parse_protocol(kMinimal + R"(
[per_protocol]
grace_days = 30
[confounders]
calendar_year = true
endpoints = ["CHD"]
atc = ["C10AA"]
[analysis]
adjustment = "matching"
match_ratio = 3
caliper = 0.1
truncate_weights = [0.05, 0.95]
horizons_days = [100]
bootstrap = 0
)", "p.toml");
  EXPECT_EQ(p.adherence.grace_days, 30);
  EXPECT_TRUE(p.confounders.calendar_year);
  EXPECT_EQ(p.confounders.endpoints, std::vector<std::string>{"CHD"});
  EXPECT_EQ(p.analysis.adjustment, Adjustment::kMatching);
  EXPECT_EQ(p.analysis.match_ratio, 3);
  EXPECT_DOUBLE_EQ(p.analysis.caliper, 0.1);
  EXPECT_DOUBLE_EQ(p.analysis.truncate_lower, 0.05);
  EXPECT_EQ(p.analysis.horizons_days, std::vector<int>{100});
  EXPECT_EQ(p.analysis.bootstrap, 0);
}

TEST(Protocol, ErrorsNameTheKeyAndLine) {
  auto replaced = [](const std::string& from, const std::string& to) {
    std::string text = kMinimal;
    text.replace(text.find(from), from.size(), to);
    return text;
  };
  EXPECT_NE(error_of(replaced("[\"A10BK\"]", "[\"A10B*\"]")).find("not an ATC code or prefix"), std::string::npos);
  EXPECT_EQ(error_of(kMinimal), "");
  EXPECT_NE(error_of(replaced("[\"A10BK\"]", "[]")).find("strategy needs at least one ATC"), std::string::npos);
  EXPECT_NE(error_of(replaced("[\"A10BH01\"]", "[\"A10B\"]")).find("overlap"), std::string::npos);
  EXPECT_NE(error_of(replaced("2020-12-31", "2020-13-31")).find("expected a date"), std::string::npos);
  EXPECT_NE(error_of(replaced("end = \"2020-12-31\"", "end = \"2020-12-31\"\nwashout = 30")).find("[enrolment] has no key 'washout'"),
            std::string::npos);
  EXPECT_NE(error_of(kMinimal + "[outcomes]\nx = 1\n").find("unknown section [outcomes]"), std::string::npos);
  EXPECT_NE(error_of(kMinimal + "[analysis]\nadjustment = \"iptw\"\n").find("expected weighting, matching or none"),
            std::string::npos);
  EXPECT_NE(error_of(replaced("[outcome]\nendpoint = \"HEART_FAILURE\"\n", "[outcome]\n")).find("name the outcome"),
            std::string::npos);
  // The line of the offending key is reported.
  EXPECT_NE(error_of(replaced("2020-12-31", "2020-13-31")).find("@5"), std::string::npos);
}
