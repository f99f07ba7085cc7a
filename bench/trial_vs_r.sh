#!/usr/bin/env bash
# kohort trial vs the same analysis in R, side by side on one simulated population (BENCH_PERSONS,
# default 1,000,000 persons, registry only). kohort runs the whole protocol from the event store
# (cohort construction, propensity model, IPTW, weighted Kaplan-Meier, Cox with robust SE, 200
# bootstrap replicates); R starts from kohort's finished person-level cohort table, so its time
# leaves out building the cohort, and runs the same analysis (glm, coxph with cluster, survfit, and
# the same 200 replicates). Prints median wall times and the ratio.
# Env: KOHORT, KOHORT_SOURCE_DIR, KOHORT_BENCH_WORK; BENCH_PERSONS, BENCH_REPEATS (3).
set -euo pipefail
: "${KOHORT:?path to the kohort binary}"
: "${KOHORT_SOURCE_DIR:?source directory}"
: "${KOHORT_BENCH_WORK:?scratch directory}"
persons=${BENCH_PERSONS:-1000000}
repeats=${BENCH_REPEATS:-3}
work="$KOHORT_BENCH_WORK/trial_vs_r"
mkdir -p "$work"
cd "$work"
if [ ! -d "store_$persons" ]; then
  "$KOHORT" -q simulate --persons "$persons" --variants 0 --seed 1 --out "population_$persons" >/dev/null
  "$KOHORT" -q ingest --persons "population_$persons/persons.tsv" --events "population_$persons/events.tsv" \
    --out "store_$persons" >/dev/null
  rm -rf "population_$persons"
fi
protocol="$KOHORT_SOURCE_DIR/trials/sglt2_vs_dpp4_heart_failure.toml"
"$KOHORT" -q trial "$protocol" --store "store_$persons" --definitions "$KOHORT_SOURCE_DIR/endpoints" --bootstrap 0 \
  --out table --cohort-table cohort.tsv 2>/dev/null >/dev/null
cat > analysis.R <<'REOF'
suppressMessages(library(survival))
d <- read.delim("cohort.tsv", check.names = FALSE)
covs <- setdiff(names(d), c("person_id", "arm", "time_zero", "time", "event", "deviation", "deviation_kind",
                            "propensity", "weight"))
covs <- covs[vapply(covs, function(v) length(unique(d[[v]])) > 1, TRUE)]
names(d) <- make.names(names(d)); covs <- make.names(covs)
form <- reformulate(covs, response = "arm")
analyse <- function(d) {
  ps <- fitted(glm(form, family = binomial, data = d))
  share <- mean(d$arm)
  d$w <- ifelse(d$arm == 1, share / ps, (1 - share) / (1 - ps))
  d$id <- seq_len(nrow(d))
  hr <- exp(coef(coxph(Surv(time, event) ~ arm + cluster(id), data = d, weights = w)))
  s <- summary(survfit(Surv(time, event) ~ arm, data = d, weights = w), times = c(365, 730, 1826), extend = TRUE)$surv
  c(hr, 1 - s)
}
main <- analyse(d)
set.seed(1)
boot <- replicate(200, analyse(d[sample.int(nrow(d), replace = TRUE), ]))
cat(sprintf("R hazard ratio %.4f\n", main[1]))
REOF
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
now() { date +%s.%N; }
k=(); r=()
for ((i = 0; i < repeats; i++)); do
  t0=$(now)
  "$KOHORT" -q trial "$protocol" --store "store_$persons" --definitions "$KOHORT_SOURCE_DIR/endpoints" \
    --bootstrap 200 --out kohort >/dev/null
  t1=$(now)
  Rscript analysis.R > r.log
  t2=$(now)
  k+=("$(awk "BEGIN { print $t1 - $t0 }")")
  r+=("$(awk "BEGIN { print $t2 - $t1 }")")
done
kt=$(printf '%s\n' "${k[@]}" | median); rt=$(printf '%s\n' "${r[@]}" | median)
cohort=$(($(wc -l < cohort.tsv) - 1))
echo "$persons persons, trial cohort $cohort, 200 bootstrap replicates; median of $repeats runs; $(nproc) cores"
printf "%-58s %8.2f s\n" "kohort trial (event store -> report, whole protocol)" "$kt"
printf "%-58s %8.2f s\n" "R: glm + coxph + survfit + bootstrap (from the cohort table)" "$rt"
printf "ratio R / kohort: %.1fx\n" "$(awk "BEGIN { print $rt / $kt }")"
awk -F'\t' '$1 == "hazard_ratio" && $7 ~ /robust/ { printf "kohort hazard ratio %.4f\n", $4 }' kohort.estimates.tsv
cat r.log
