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

TEST(Protocol, TimeZeroAtEligibility) {
  EXPECT_EQ(parse_protocol(kMinimal, "p.toml").enrolment.time_zero, TimeZero::kFirstDispensing);
  const std::string eligibility = R"(time_zero = "eligibility"
eligibility_endpoint = "T2D"
initiation_grace_days = 90
)";
  std::string text = kMinimal;
  text.insert(text.find("[treatment]"), eligibility);
  Protocol p = parse_protocol(text + "[analysis]\ncensoring_weights = \"unstabilised\"\n", "p.toml");
  EXPECT_TRUE(p.cloned());
  EXPECT_EQ(p.enrolment.eligibility_endpoint, "T2D");
  EXPECT_EQ(p.enrolment.initiation_grace_days, 90);
  EXPECT_FALSE(p.analysis.stabilised_censoring_weights);
  EXPECT_TRUE(parse_protocol(text, "p.toml").analysis.stabilised_censoring_weights);

  auto with = [&](const std::string& from, const std::string& to) {
    std::string t = text;
    t.replace(t.find(from), from.size(), to);
    return error_of(t);
  };
  EXPECT_NE(with("initiation_grace_days = 90", "initiation_grace_days = -1").find("must not be negative @8"),
            std::string::npos);
  EXPECT_NE(with("\"eligibility\"", "\"diagnosis\"").find("expected \"first-dispensing\" or \"eligibility\""),
            std::string::npos);
  EXPECT_NE(with("eligibility_endpoint = \"T2D\"\n", "").find("eligibility_endpoint is missing"), std::string::npos);
  EXPECT_NE(with("initiation_grace_days = 90\n", "").find("initiation_grace_days is missing"), std::string::npos);
  EXPECT_NE(with("initiation_grace_days = 90", "initiation_grace_days = 1.5").find("must be a whole number"),
            std::string::npos);
  EXPECT_NE(with("time_zero = \"eligibility\"", "time_zero = \"first-dispensing\"")
                .find("eligibility_endpoint applies only with time_zero = \"eligibility\""),
            std::string::npos);
  std::string grace_only = kMinimal;
  grace_only.insert(grace_only.find("[treatment]"), "initiation_grace_days = 30\n");
  EXPECT_NE(error_of(grace_only).find("initiation_grace_days applies only with time_zero = \"eligibility\""),
            std::string::npos);
  EXPECT_NE(error_of(grace_only).find("@6"), std::string::npos);
  EXPECT_NE(error_of(text + "[analysis]\nadjustment = \"matching\"\n").find("needs time zero at the first dispensing"),
            std::string::npos);
  EXPECT_NE(error_of(text + "[analysis]\ntrim_propensity = [0.1, 0.9]\n").find("no propensity score"),
            std::string::npos);
  EXPECT_NE(error_of(text + "[analysis]\ncensoring_weights = \"stable\"\n").find("expected stabilised or unstabilised"),
            std::string::npos);
}
