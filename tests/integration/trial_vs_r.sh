#!/usr/bin/env bash
# kohort trial against R on a simulated population: the intention-to-treat analysis with IPTW, the
# per-protocol analysis with censoring weights, and 1:1 and 1:2 matching with and without a caliper,
# each recomputed in R (glm, coxph, survfit, and a greedy matcher written in R) from kohort's
# person-level table (tolerances in trial_vs_r.R);
# identical released files at --threads 1 and 2, bootstrap included.
set -euo pipefail
: "${KOHORT:?path to the kohort binary}"
: "${KOHORT_SOURCE_DIR:?source directory}"
: "${KOHORT_WORK:?scratch directory}"
if ! Rscript -e 'suppressMessages(library(survival))' >/dev/null 2>&1; then
  echo "R with the survival package is required (r-base-core, r-cran-survival)" >&2
  exit 1
fi
work="$KOHORT_WORK/trial_vs_r"
rm -rf "$work"
mkdir -p "$work"
"$KOHORT" -q simulate --persons 200000 --variants 0 --seed 3 --out "$work/population" >/dev/null
"$KOHORT" -q ingest --persons "$work/population/persons.tsv" --events "$work/population/events.tsv" \
  --out "$work/store" >/dev/null
protocol="$KOHORT_SOURCE_DIR/trials/sglt2_vs_dpp4_heart_failure.toml"

# name estimand adjustment truncation(lower upper) match_ratio caliper trimming(lower upper)
run() {
  local name=$1 estimand=$2 adjustment=$3 lo=$4 hi=$5 ratio=$6 caliper=$7 tlo=${8:-0} thi=${9:-1}
  sed -e "s/^estimand = .*/estimand = \"$estimand\"/" -e "s/^adjustment = .*/adjustment = \"$adjustment\"/" \
      -e "s/^truncate_weights = .*/truncate_weights = [$lo, $hi]/" -e "s/^bootstrap = .*/bootstrap = 20\nmatch_ratio = $ratio\ncaliper = $caliper\ntrim_propensity = [$tlo, $thi]/" \
      "$protocol" > "$work/$name.toml"
  "$KOHORT" -q trial "$work/$name.toml" --store "$work/store" --definitions "$KOHORT_SOURCE_DIR/endpoints" \
    --out "$work/$name" --cohort-table "$work/$name.cohort.tsv" 2>/dev/null >/dev/null
  echo "== $name: $estimand, $adjustment"
  Rscript "$KOHORT_SOURCE_DIR/tests/integration/trial_vs_r.R" "$work/$name" "$estimand" "$adjustment" "$lo" "$hi" "$ratio" "$caliper" "$tlo" "$thi"
}
run itt_iptw intention-to-treat weighting 0.01 0.99 1 0.2
run itt_iptw_trimmed intention-to-treat weighting 0.01 0.99 1 0.2 0.1 0.8
run pp_iptw per-protocol weighting 0.01 0.99 1 0.2
run itt_match_caliper intention-to-treat matching 0 1 1 0.2
run itt_match2_caliper intention-to-treat matching 0 1 2 0.1
run itt_match1 intention-to-treat matching 0 1 1 1000
run itt_match2 intention-to-treat matching 0 1 2 1000
run itt_none intention-to-treat none 0 1 1 0.2

# Same released files at any thread count (cohort blocks and bootstrap replicates run in parallel).
for threads in 1 2; do
  "$KOHORT" -q --threads "$threads" trial "$work/pp_iptw.toml" --store "$work/store" \
    --definitions "$KOHORT_SOURCE_DIR/endpoints" --out "$work/threads$threads" >/dev/null
done
for file in flow.tsv balance.tsv km.tsv estimates.tsv summary.txt; do
  cmp "$work/threads1.$file" "$work/threads2.$file" || { echo "FAIL: $file differs between 1 and 2 threads" >&2; exit 1; }
done
echo "ok   released files identical at --threads 1 and 2"
