// `kohort km`: Kaplan-Meier curves (and the log-rank test between strata) from a TSV/CSV table.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/command.h"
#include "core/error.h"
#include "core/log.h"
#include "core/output.h"
#include "stats/kaplan_meier.h"
#include "stats/survival_input.h"
#include "stats/table.h"

namespace kohort::cli {
namespace {

struct KmArgs {
  std::string table, time, event, strata, weights, conf_type = "log", variance = "auto", out;
  double conf_level = 0.95;
};

void run_km(const KmArgs& a) {
  using namespace kohort::stats;
  const ConfType conf_type = parse_conf_type(a.conf_type);
  KmVariance variance = KmVariance::kAuto;
  if (a.variance == "greenwood") variance = KmVariance::kGreenwood;
  else if (a.variance == "jackknife") variance = KmVariance::kJackknife;
  else if (a.variance != "auto") throw InputError("--variance is '" + a.variance + "'; expected auto, greenwood or jackknife");
  if (!(a.conf_level > 0 && a.conf_level < 1)) throw InputError("--conf-level must lie between 0 and 1");
  std::vector<ColumnRequest> request{{a.time, ColumnKind::kNumeric}, {a.event, ColumnKind::kNumeric}};
  if (!a.strata.empty()) request.push_back({a.strata, ColumnKind::kFactor});
  if (!a.weights.empty()) request.push_back({a.weights, ColumnKind::kNumeric});
  const Table table = read_table(a.table, request);
  const Column& time_col = table.column(a.time);
  const Column& event_col = table.column(a.event);
  const Column* strata_col = a.strata.empty() ? nullptr : &table.column(a.strata);
  const Column* weight_col = a.weights.empty() ? nullptr : &table.column(a.weights);
  const std::vector<double> event = event_indicator(table, event_col);
  const auto rows = complete_rows(table, {&time_col, &event_col, strata_col, weight_col});
  if (rows.empty()) throw InputError(a.table, "no complete rows to analyse");
  if (weight_col)
    for (auto r : rows)
      if (weight_col->values[r] < 0) throw InputError(a.table, table.line[r], "negative weight; weights must be >= 0");

  // Near-equal times merged over the whole table, as survfit(timefix = TRUE).
  std::vector<double> time(table.rows, 0.0);
  {
    std::vector<double> kept;
    kept.reserve(rows.size());
    for (auto r : rows) kept.push_back(time_col.values[r]);
    merge_near_tied_times(kept, nullptr);
    for (std::size_t k = 0; k < rows.size(); ++k) time[rows[k]] = kept[k];
  }
  const int groups = strata_col ? static_cast<int>(strata_col->levels.size()) : 1;
  OutputFile curves(a.out + ".km.tsv");
  curves.write("strata\ttime\tn_risk\tn_event\tn_censor\tsurv\tstd_err\tstd_err_log\tlower\tupper\n");
  std::vector<double> all_t, all_e, all_w;
  std::vector<int> all_g;
  for (int g = 0; g < groups; ++g) {
    std::vector<double> t, e, w;
    for (auto r : rows) {
      const int group = strata_col ? strata_col->codes[r] : 0;
      if (group != g) continue;
      t.push_back(time[r]);
      e.push_back(event[r]);
      if (weight_col) w.push_back(weight_col->values[r]);
      all_t.push_back(t.back());
      all_e.push_back(e.back());
      all_g.push_back(g);
      if (weight_col) all_w.push_back(w.back());
    }
    if (t.empty()) continue;
    const KmCurve c = kaplan_meier(t, e, w, conf_type, a.conf_level, variance);
    const std::string label = strata_col ? strata_col->levels[g] : "all";
    std::string buffer;
    for (std::size_t k = 0; k < c.time.size(); ++k)
      buffer += fmt::format("{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n", label, format_number(c.time[k]),
                            format_number(c.n_risk[k]), format_number(c.n_event[k]), format_number(c.n_censor[k]),
                            format_number(c.surv[k]), format_number(c.std_err[k]), format_number(c.std_err_log[k]),
                            format_number(c.lower[k]), format_number(c.upper[k]));
    curves.write(buffer);
  }
  if (strata_col && groups > 1) {
    const LogRankTest test = log_rank(all_t, all_e, all_w, all_g, groups);
    OutputFile groups_out(a.out + ".logrank_groups.tsv");
    groups_out.write("strata\tobserved\texpected\n");
    for (int g = 0; g < groups; ++g)
      groups_out.write(fmt::format("{}\t{}\t{}\n", strata_col->levels[g], format_number(test.observed[g]),
                                   format_number(test.expected[g])));
    OutputFile lr(a.out + ".logrank.tsv");
    lr.write(fmt::format("chisq\tdf\tp\n{}\t{}\t{}\n", format_number(test.chisq), test.df, format_number(test.p)));
    curves.commit();
    groups_out.commit();
    lr.commit();
    log_info(fmt::format("log-rank chi-square {:.4g} on {} df, p = {:.4g}", test.chisq, test.df, test.p));
  } else {
    curves.commit();
  }
  log_info(fmt::format("wrote {}.km.tsv", a.out));
}

const Subcommand km_command{"km", "Kaplan-Meier survival curves and the log-rank test from a table", 600, [](CLI::App& app) {
  auto args = std::make_shared<KmArgs>();
  app.add_option("--table", args->table, "TSV or CSV table (plain or gzip)")->required();
  app.add_option("--time", args->time, "column with the follow-up time")->required();
  app.add_option("--event", args->event, "column with the event indicator (0/1, or 1/2 with 2 = event)")->required();
  app.add_option("--strata", args->strata, "column whose values split the curves (and are compared by log-rank)");
  app.add_option("--weights", args->weights, "column of case weights");
  app.add_option("--conf-type", args->conf_type, "confidence interval: log (R's default), plain or log-log");
  app.add_option("--variance", args->variance,
                 "greenwood, jackknife (infinitesimal jackknife), or auto (default, as survfit: jackknife when a "
                 "weight is not an integer)");
  app.add_option("--conf-level", args->conf_level, "confidence level (default 0.95)");
  app.add_option("--out", args->out, "output prefix: PREFIX.km.tsv; with --strata also PREFIX.logrank.tsv and PREFIX.logrank_groups.tsv")->required();
  app.footer("Example:\n  kohort km --table lung.tsv --time time --event status --strata sex --out lung\n"
             "  writes lung.km.tsv (one row per time and stratum) and lung.logrank.tsv");
  return [args] { run_km(*args); };
}};

}  // namespace
}  // namespace kohort::cli
