#pragma once
// Released outputs of a trial emulation: cohort flow, balance table, survival curves, estimates and
// a text summary, with counts from 1 to suppress_below-1 withheld; and, only on request, the
// person-level analysis table (not for release).
#include <string>

#include "registry/event_store.h"
#include "trial/outcomes.h"

namespace kohort::trial {

// Writes PREFIX.flow.tsv, PREFIX.balance.tsv, PREFIX.km.tsv, PREFIX.estimates.tsv and
// PREFIX.summary.txt (each atomically); returns the summary text.
std::string write_trial_report(const std::string& prefix, const Protocol& protocol, const TrialCohort& cohort,
                               const TrialResults& results);

// One row per person: id, arm, time zero, follow-up, outcome, deviation, propensity score, weight, confounders.
void write_cohort_table(const std::string& path, const registry::EventStore& store, const TrialCohort& cohort,
                        const TrialResults& results);

}  // namespace kohort::trial
