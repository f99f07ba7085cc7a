#pragma once
// Shared checks for survival inputs read from a table: event codes and row selection.
#include <string>
#include <vector>

#include "stats/table.h"

namespace kohort::stats {

// Event indicator as 0/1. Accepts 0/1, or 1/2 (2 = event) as R's Surv does when every value is 1 or 2
// and some are 2. Anything else is an InputError naming file and line.
std::vector<double> event_indicator(const Table& table, const Column& event);

// Rows with no missing value in any of `columns` (R's na.omit); logs how many were dropped.
std::vector<std::size_t> complete_rows(const Table& table, const std::vector<const Column*>& columns);

// Times that differ by less than `tolerance`, absolutely or relative to the mean absolute time,
// are made equal (each becomes the smallest of its chain of near neighbours), as R's survival does
// by default (timefix) so that round-off does not split a tie. `start` may be null. Throws
// InputError if an interval (start, stop] shrinks to nothing.
inline constexpr double kTimefixTolerance = 1.4901161193847656e-08;  // sqrt(.Machine$double.eps), as R
void merge_near_tied_times(std::vector<double>& stop, std::vector<double>* start, double tolerance = kTimefixTolerance);

// Formats a number with 17 significant digits ("NA" for NaN, "Inf"/"-Inf").
std::string format_number(double x);

}  // namespace kohort::stats
