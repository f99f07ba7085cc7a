#!/usr/bin/env bash
# kohort cox vs R's coxph side by side on one simulated table: 1,000,000 rows x 10 covariates
# (Efron ties, the default of both). Prints median wall times of both, and two ratios:
# whole command (kohort reading + fitting vs Rscript reading + coxph) and fit alone.
# Env: KOHORT, KOHORT_SOURCE_DIR, KOHORT_BENCH_WORK; BENCH_ROWS (default 1000000), BENCH_REPEATS (3).
set -euo pipefail
: "${KOHORT:?path to the kohort binary}"
: "${KOHORT_BENCH_WORK:?scratch directory}"
rows=${BENCH_ROWS:-1000000}
repeats=${BENCH_REPEATS:-3}
work="$KOHORT_BENCH_WORK/stats_cox_vs_r"
mkdir -p "$work"
cd "$work"
table="sim_${rows}.tsv"
if [ ! -s "$table" ]; then
  # Exponential event times with log-hazard sum_j (j - 5.5) * 0.05 * x_j, uniform censoring.
  awk -v n="$rows" 'BEGIN { srand(20261122); printf "time\tstatus"; for (j = 1; j <= 10; j++) printf "\tx%d", j; printf "\n";
    for (i = 0; i < n; i++) { lp = 0; line = "";
      for (j = 1; j <= 10; j++) { u = rand(); if (u < 1e-300) u = 1e-300;
        x = sprintf("%.4f", sqrt(-2 * log(u)) * cos(6.283185307179586 * rand())); line = line "\t" x; lp += (j - 5.5) * 0.05 * x }
      t = -log(rand()) / (0.01 * exp(lp)); c = rand() * 200; ev = (t <= c);
      printf "%.3f\t%d%s\n", (ev ? t : c), ev, line } }' > "$table.tmp"
  mv "$table.tmp" "$table"
fi
covariates=x1,x2,x3,x4,x5,x6,x7,x8,x9,x10
cat > fit.R <<'REOF'
suppressMessages(library(survival))
d <- read.delim(commandArgs(TRUE)[1], colClasses = "numeric")
t0 <- proc.time()[["elapsed"]]
f <- coxph(Surv(time, status) ~ x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + x10, data = d)
cat(sprintf("fit_seconds %.3f\n", proc.time()[["elapsed"]] - t0))
write.table(data.frame(term = names(coef(f)), coef = format(coef(f), digits = 17)), "r_coef.tsv",
            sep = "\t", quote = FALSE, row.names = FALSE)
REOF
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
now() { date +%s.%N; }
calc() { awk "BEGIN { print $1 }"; }
k_total=(); k_fit=(); r_total=(); r_fit=()
for ((i = 0; i < repeats; i++)); do
  t0=$(now)
  "$KOHORT" cox --table "$table" --time time --event status --covariates "$covariates" --out kohort 2> kohort.log
  t1=$(now)
  k_total+=("$(calc "$t1 - $t0")")
  k_fit+=("$(sed -n 's/.*fitted in \([0-9.]*\) s.*/\1/p' kohort.log)")
  t0=$(now)
  Rscript fit.R "$table" > r.log
  t1=$(now)
  r_total+=("$(calc "$t1 - $t0")")
  r_fit+=("$(awk '/fit_seconds/ { print $2 }' r.log)")
done
kt=$(printf '%s\n' "${k_total[@]}" | median); kf=$(printf '%s\n' "${k_fit[@]}" | median)
rt=$(printf '%s\n' "${r_total[@]}" | median); rf=$(printf '%s\n' "${r_fit[@]}" | median)
# The two fits must agree before the times mean anything.
worst=$(awk -F'\t' 'NR == FNR { if (FNR > 1) r[$1] = $2; next } FNR > 1 { d = ($2 - r[$1]) / r[$1]; if (d < 0) d = -d; if (d > w) w = d }
  END { printf "%.3g", w }' r_coef.tsv kohort.cox.tsv)
echo "rows $rows, 10 covariates, Efron; median of $repeats runs; threads: $(nproc) cores"
printf "%-28s %10s %10s %8s\n" "" "kohort" "R coxph" "ratio"
printf "%-28s %10.2f %10.2f %7.1fx\n" "whole command (read + fit) s" "$kt" "$rt" "$(calc "$rt / $kt")"
printf "%-28s %10.2f %10.2f %7.1fx\n" "fit only s" "$kf" "$rf" "$(calc "$rf / $kf")"
echo "largest relative coefficient difference kohort vs R: $worst"
awk -v w="$worst" 'BEGIN { exit !(w <= 1e-6) }' || { echo "kohort and R disagree beyond 1e-6" >&2; exit 1; }
