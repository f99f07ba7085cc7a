#!/usr/bin/env bash
# kohort km / kohort cox against R's survival (coxph, survfit, survdiff) on lung, veteran, colon,
# pbc and heart. Tolerances: Cox coef 1e-6 relative, SE and robust SE 1e-5 relative, log-likelihood
# 1e-6 absolute; Kaplan-Meier survival, SE and CI bounds 1e-8 absolute at every event time.
set -euo pipefail
: "${KOHORT:?path to the kohort binary}"
: "${KOHORT_SOURCE_DIR:?source directory}"
: "${KOHORT_WORK:?scratch directory}"
if ! Rscript -e 'suppressMessages(library(survival))' >/dev/null 2>&1; then
  echo "R with the survival package is required (r-base-core, r-cran-survival)" >&2
  exit 1
fi
work="$KOHORT_WORK/survival_vs_r"
rm -rf "$work"
mkdir -p "$work"
Rscript "$KOHORT_SOURCE_DIR/tests/integration/survival_vs_r.R" "$KOHORT" "$work"
