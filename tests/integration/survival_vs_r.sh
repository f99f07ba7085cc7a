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

# Same output at any thread count (100,000 simulated rows: many parallel chunks).
for threads in 1 2 4; do
  "$KOHORT" --threads "$threads" --quiet cox --table "$work/sim.tsv" --start entry --time time --event status \
    --covariates x1,x2,g --strata site --weights w --cluster id --out "$work/threads$threads"
  "$KOHORT" --threads "$threads" --quiet km --table "$work/sim.tsv" --time time --event status \
    --strata g --weights w --out "$work/threads$threads"
done
for threads in 2 4; do
  for file in cox.tsv cox_fit.tsv km.tsv logrank.tsv; do
    if ! cmp -s "$work/threads1.$file" "$work/threads$threads.$file"; then
      echo "FAIL: $file differs between --threads 1 and --threads $threads" >&2
      exit 1
    fi
  done
done
echo "identical output with --threads 1, 2, 4"

# Bad input: exit status 2, a message naming file, line and column, and no output files.
expect_input_error() {
  local pattern=$1
  shift
  local status=0
  "$KOHORT" "$@" --out "$work/bad" 2> "$work/bad.err" || status=$?
  if [ "$status" -ne 2 ] || ! grep -q -- "$pattern" "$work/bad.err" || compgen -G "$work/bad.*.tsv" > /dev/null; then
    echo "FAIL: kohort $* gave status $status, message: $(cat "$work/bad.err"); expected 2 and '$pattern'" >&2
    exit 1
  fi
  echo "bad input rejected: $(tail -1 "$work/bad.err")"
}
printf 'time\tstatus\tx\n5\t1\t0.5\nsoon\t0\t1\n' > "$work/bad_time.tsv"
expect_input_error "bad_time.tsv:3: column 'time' has 'soon'" cox --table "$work/bad_time.tsv" --time time --event status --covariates x
expect_input_error "no column 'nope'" km --table "$work/bad_time.tsv" --time nope --event status
printf 'time\tstatus\tx\n5\t3\t0.5\n6\t0\t1\n' > "$work/bad_event.tsv"
expect_input_error "bad_event.tsv:2: event column 'status' has 3" km --table "$work/bad_event.tsv" --time time --event status
printf 'start\tstop\tstatus\tx\n5\t4\t1\t0.5\n' > "$work/bad_start.tsv"
expect_input_error "bad_start.tsv:2: start time 5 is not before stop time 4" cox --table "$work/bad_start.tsv" \
  --start start --time stop --event status --covariates x
expect_input_error "expected efron or breslow" cox --table "$work/bad_time.tsv" --time time --event status --covariates x --ties exact
