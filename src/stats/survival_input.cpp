#include "stats/survival_input.h"
#include "stats/radix_sort.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/error.h"
#include "core/log.h"

namespace kohort::stats {

std::vector<double> event_indicator(const Table& table, const Column& event) {
  if (event.is_factor) {
    throw InputError(table.path, 1, fmt::format("event column '{}' is not numeric; expected 0/1 or 1/2", event.name));
  }
  // As R's Surv: 1/2 coding when the largest value is 2 (all 1 means every row is an event).
  bool one_two = true, any = false;
  for (double v : event.values) {
    if (v != v) continue;
    if (v == 2) any = true;
    if (v != 1 && v != 2) one_two = false;
  }
  std::vector<double> out(event.values.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    const double v = event.values[i];
    if (v != v) { out[i] = v; continue; }
    if (one_two && any) {
      out[i] = v == 2 ? 1 : 0;
      continue;
    }
    if (v != 0 && v != 1)
      throw InputError(table.path, table.line[i],
                       fmt::format("event column '{}' has {}; expected 0 (censored) or 1 (event), or 1/2 throughout", event.name, v));
    out[i] = v;
  }
  return out;
}

std::vector<std::size_t> complete_rows(const Table& table, const std::vector<const Column*>& columns) {
  // Column by column (tight loops), then the rows with nothing missing.
  std::vector<unsigned char> missing(table.rows, 0);
  for (const Column* c : columns) {
    if (!c) continue;
    if (c->is_factor) {
      for (std::size_t i = 0; i < table.rows; ++i) missing[i] |= c->codes[i] < 0;
    } else {
      for (std::size_t i = 0; i < table.rows; ++i) missing[i] |= c->values[i] != c->values[i];
    }
  }
  std::vector<std::size_t> rows;
  rows.reserve(table.rows);
  for (std::size_t i = 0; i < table.rows; ++i)
    if (!missing[i]) rows.push_back(i);
  if (rows.size() < table.rows)
    log_info(fmt::format("{} of {} rows dropped for missing values", table.rows - rows.size(), table.rows));
  return rows;
}

void merge_near_tied_times(std::vector<double>& stop, std::vector<double>* start, double tolerance) {
  std::vector<double> times;
  times.reserve(stop.size() * (start ? 2 : 1));
  for (double t : stop)
    if (std::isfinite(t)) times.push_back(t);
  if (start)
    for (double t : *start)
      if (std::isfinite(t)) times.push_back(t);
  radix_sort(times);
  times.erase(std::unique(times.begin(), times.end()), times.end());
  if (times.size() < 2) return;
  double mean_abs = 0;
  for (double t : times) mean_abs += std::fabs(t);
  mean_abs /= static_cast<double>(times.size());
  std::vector<double> merged(times.size());
  merged[0] = times[0];
  bool any = false;
  for (std::size_t k = 1; k < times.size(); ++k) {
    const double gap = times[k] - times[k - 1];
    const bool tied = gap <= tolerance || gap / mean_abs <= tolerance;
    merged[k] = tied ? merged[k - 1] : times[k];
    any = any || tied;
  }
  if (!any) return;
  auto fix = [&](double& t) {
    if (!std::isfinite(t)) return;
    t = merged[static_cast<std::size_t>(std::lower_bound(times.begin(), times.end(), t) - times.begin())];
  };
  for (double& t : stop) fix(t);
  if (start) {
    for (std::size_t i = 0; i < start->size(); ++i) {
      fix((*start)[i]);
      if ((*start)[i] >= stop[i])
        throw InputError(fmt::format("row {}: the interval ({}, {}] has length 0 once near-equal times are merged",
                                     i + 1, (*start)[i], stop[i]));
    }
  }
}

std::string format_number(double x) {
  if (std::isnan(x)) return "NA";
  if (std::isinf(x)) return x > 0 ? "Inf" : "-Inf";
  return fmt::format("{:.17g}", x);
}

}  // namespace kohort::stats
