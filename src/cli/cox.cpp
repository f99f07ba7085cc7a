// `kohort cox`: Cox proportional hazards regression on a TSV/CSV table, equal to R's coxph.
#include <chrono>
#include <cmath>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/command.h"
#include "core/error.h"
#include "core/log.h"
#include "core/output.h"
#include "stats/cox.h"
#include "stats/distributions.h"
#include "stats/survival_input.h"
#include "stats/table.h"

namespace kohort::cli {
namespace {

struct CoxArgs {
  std::string table, time, event, start, covariates, strata, ties = "efron", weights, cluster, out;
  double conf_level = 0.95;
  bool robust = false;
  int max_iter = 20;
};

void run_cox(const CoxArgs& a) {
  using namespace kohort::stats;
  CoxOptions options;
  if (a.ties == "efron") options.ties = Ties::kEfron;
  else if (a.ties == "breslow") options.ties = Ties::kBreslow;
  else throw InputError("--ties is '" + a.ties + "'; expected efron or breslow");
  if (!(a.conf_level > 0 && a.conf_level < 1)) throw InputError("--conf-level must lie between 0 and 1");
  options.robust = a.robust;
  options.max_iter = a.max_iter;
  const std::vector<std::string> covariates = split_names(a.covariates);
  if (covariates.empty()) throw InputError("--covariates names no column; expected a,b,c");

  std::vector<ColumnRequest> request{{a.time, ColumnKind::kNumeric}, {a.event, ColumnKind::kNumeric}};
  if (!a.start.empty()) request.push_back({a.start, ColumnKind::kNumeric});
  if (!a.weights.empty()) request.push_back({a.weights, ColumnKind::kNumeric});
  if (!a.strata.empty()) request.push_back({a.strata, ColumnKind::kFactor});
  if (!a.cluster.empty()) request.push_back({a.cluster, ColumnKind::kFactor});
  for (const auto& c : covariates) request.push_back({c, ColumnKind::kNumericOrFactor});
  for (std::size_t i = 0; i < request.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (request[i].name == request[j].name)
        throw InputError(fmt::format("column '{}' is named twice among the options", request[i].name));
  const auto clock_start = std::chrono::steady_clock::now();
  auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - clock_start).count(); };
  const Table table = read_table(a.table, request);
  log_info(fmt::format("read {} rows of {} in {:.3f} s", table.rows, a.table, seconds()));

  auto optional = [&](const std::string& name) { return name.empty() ? nullptr : &table.column(name); };
  const Column& stop_col = table.column(a.time);
  const Column& event_col = table.column(a.event);
  const Column* start_col = optional(a.start);
  const Column* weight_col = optional(a.weights);
  const Column* strata_col = optional(a.strata);
  const Column* cluster_col = optional(a.cluster);
  std::vector<const Column*> used{&stop_col, &event_col, start_col, weight_col, strata_col, cluster_col};
  for (const auto& c : covariates) used.push_back(&table.column(c));
  const std::vector<double> event = event_indicator(table, event_col);
  const auto rows = complete_rows(table, used);
  if (rows.empty()) throw InputError(a.table, "no complete rows to fit the model on");

  CoxData data;
  data.n = rows.size();
  std::vector<std::string> terms;
  data.stop.reserve(rows.size());
  data.event.reserve(rows.size());

  for (auto r : rows) {
    const double stop = stop_col.values[r];
    data.stop.push_back(stop);
    data.event.push_back(event[r]);
    if (start_col) {
      const double start = start_col->values[r];
      if (!(start < stop))
        throw InputError(a.table, table.line[r], fmt::format("start time {} is not before stop time {}", start, stop));
      data.start.push_back(start);
    }
    if (weight_col) {
      if (!(weight_col->values[r] > 0))
        throw InputError(a.table, table.line[r], "weight must be positive");
      data.weight.push_back(weight_col->values[r]);
    }
    if (strata_col) data.strata.push_back(strata_col->codes[r]);
    if (cluster_col) data.cluster.push_back(cluster_col->codes[r]);
  }
  // Covariates: numeric as they are; factors as indicators of each level but the first (R's contrasts).
  // With every row kept and no factors the fit reads the table's own columns (no copy).
  bool whole_columns = rows.size() == table.rows;
  for (const auto& name : covariates) whole_columns = whole_columns && !table.column(name).is_factor;
  if (whole_columns) {
    for (const auto& name : covariates) data.x_columns.push_back(table.column(name).values.data());
    terms = covariates;
  } else {
    data.x.reserve(rows.size() * covariates.size());
  }
  for (const auto& name : covariates) {
    if (whole_columns) break;
    const Column& col = table.column(name);
    if (!col.is_factor) {
      terms.push_back(name);
      for (auto r : rows) data.x.push_back(col.values[r]);
      continue;
    }
    std::vector<bool> present(col.levels.size(), false);
    for (auto r : rows) present[col.codes[r]] = true;
    bool first = true;
    for (std::size_t level = 0; level < col.levels.size(); ++level) {
      if (!present[level]) continue;  // R drops unused levels
      if (first) { first = false; continue; }
      terms.push_back(name + col.levels[level]);
      for (auto r : rows) data.x.push_back(col.codes[r] == static_cast<int>(level) ? 1.0 : 0.0);
    }
  }
  data.p = terms.size();

  const double fit_start = seconds();
  const CoxFit fit = fit_cox(data, options);
  log_info(fmt::format("fitted in {:.3f} s", seconds() - fit_start));
  for (std::size_t j = 0; j < data.p; ++j)
    if (fit.aliased[j]) log_warning("covariate '" + terms[j] + "' is linearly dependent on the others; its coefficient is NA");
  if (!fit.converged) log_warning(fmt::format("the Cox fit did not converge in {} iterations", fit.iterations));
  const bool robust = !fit.robust_var.empty();
  const double z_ci = normal_quantile_p(1 - (1 - a.conf_level) / 2);
  const std::size_t p = data.p;

  OutputFile coef(a.out + ".cox.tsv");
  std::string text = "term\tcoef\texp_coef\tse\trobust_se\tz\tp\tlower\tupper\n";
  for (std::size_t j = 0; j < p; ++j) {
    if (fit.aliased[j]) {  // linearly dependent on the other covariates: no estimate, as R's NA
      text += terms[j] + "\tNA\tNA\tNA\tNA\tNA\tNA\tNA\tNA\n";
      continue;
    }
    const double b = fit.beta[j];
    const double se = std::sqrt(fit.var[j * p + j]);
    const double rse = robust ? std::sqrt(fit.robust_var[j * p + j]) : std::nan("");
    const double use = robust ? rse : se;  // as summary(coxph): z and CI from the robust SE when present
    const double z = b / use;
    text += fmt::format("{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n", terms[j], format_number(b), format_number(std::exp(b)),
                        format_number(se), format_number(rse), format_number(z),
                        format_number(normal_two_sided(z)), format_number(std::exp(b - z_ci * use)),
                        format_number(std::exp(b + z_ci * use)));
  }
  coef.write(text);
  OutputFile summary(a.out + ".cox_fit.tsv");
  const double df = fit.df;
  summary.write(fmt::format(
      "statistic\tvalue\nn\t{}\nevents\t{}\niterations\t{}\nconverged\t{}\nloglik_null\t{}\nloglik\t{}\n"
      "lr_test\t{}\nlr_df\t{}\nlr_p\t{}\nwald_test\t{}\nwald_p\t{}\nscore_test\t{}\nscore_p\t{}\nties\t{}\nrobust\t{}\n",
      fit.n, fit.events, fit.iterations, fit.converged ? "true" : "false", format_number(fit.loglik_null),
      format_number(fit.loglik), format_number(fit.lr_test), fit.df, format_number(chisq_upper(fit.lr_test, df)),
      format_number(fit.wald_test), format_number(chisq_upper(fit.wald_test, df)), format_number(fit.score_test),
      format_number(chisq_upper(fit.score_test, df)), a.ties, robust ? "true" : "false"));
  coef.commit();
  summary.commit();
  log_info(fmt::format("Cox fit on {} rows, {} events, {} iterations; wrote {}.cox.tsv and {}.cox_fit.tsv", fit.n,
                       fit.events, fit.iterations, a.out, a.out));
}

const Subcommand cox_command{"cox", "Cox proportional hazards regression from a table (as R's coxph)", 610, [](CLI::App& app) {
  auto args = std::make_shared<CoxArgs>();
  app.add_option("--table", args->table, "TSV or CSV table (plain or gzip)")->required();
  app.add_option("--time", args->time, "column with the event/censoring time (the stop time with --start)")->required();
  app.add_option("--event", args->event, "column with the event indicator (0/1, or 1/2 with 2 = event)")->required();
  app.add_option("--start", args->start, "column with entry times: counting-process (start, stop] data");
  app.add_option("--covariates", args->covariates, "comma-separated covariate columns; text columns become factors")
      ->required();
  app.add_option("--strata", args->strata, "column defining strata (separate baseline hazards)");
  app.add_option("--ties", args->ties, "efron (default, as R) or breslow");
  app.add_option("--weights", args->weights, "column of case weights");
  app.add_option("--cluster", args->cluster, "column of cluster ids: robust sandwich SE grouped by cluster");
  app.add_flag("--robust", args->robust, "robust sandwich SE with each row its own cluster");
  app.add_option("--conf-level", args->conf_level, "confidence level of the hazard-ratio interval (default 0.95)");
  app.add_option("--max-iter", args->max_iter, "maximum Newton-Raphson iterations (default 20, as coxph)");
  app.add_option("--out", args->out, "output prefix: PREFIX.cox.tsv (coefficients), PREFIX.cox_fit.tsv (tests)")
      ->required();
  app.footer("Example:\n  kohort cox --table lung.tsv --time time --event status --covariates age,sex,ph.ecog \\\n"
             "      --strata inst --out lung\n  writes lung.cox.tsv and lung.cox_fit.tsv");
  return [args] { run_cox(*args); };
}};

}  // namespace
}  // namespace kohort::cli
