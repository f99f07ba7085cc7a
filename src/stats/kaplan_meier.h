#pragma once
// Kaplan-Meier survival curves with Greenwood standard errors and confidence intervals, and the
// log-rank test, matching R's survival::survfit and survdiff (case weights allowed).
#include <string>
#include <vector>

namespace kohort::stats {

enum class ConfType { kLog, kPlain, kLogLog };
ConfType parse_conf_type(const std::string& name);  // "log", "plain", "log-log"

// One row per distinct time (event or censoring), as survfit stores them.
struct KmCurve {
  std::vector<double> time;
  std::vector<double> n_risk, n_event, n_censor;  // weighted counts
  std::vector<double> surv;
  std::vector<double> std_err;      // SE of S(t), as summary(survfit) prints
  std::vector<double> std_err_log;  // SE of log S(t) (= survfit's fit$std.err); Inf once S reaches 0
  std::vector<double> lower, upper; // NaN where undefined, as R's NA
};

enum class KmVariance {
  kGreenwood,
  kJackknife,  // infinitesimal jackknife (survfit's robust variance)
  kAuto,       // as survfit: the jackknife when some weight is not an integer, else Greenwood
};

// `event` is 1/0; `weight` may be empty (all 1). Rows need not be sorted.
KmCurve kaplan_meier(const std::vector<double>& time, const std::vector<double>& event,
                     const std::vector<double>& weight, ConfType conf_type, double conf_level,
                     KmVariance variance = KmVariance::kAuto);

struct LogRankTest {
  std::vector<double> observed, expected;  // per group
  double chisq = 0;
  int df = 0;
  double p = 1;
};

// Log-rank test between groups 0..groups-1 (survdiff with rho = 0).
LogRankTest log_rank(const std::vector<double>& time, const std::vector<double>& event,
                     const std::vector<double>& weight, const std::vector<int>& group, int groups);

}  // namespace kohort::stats
