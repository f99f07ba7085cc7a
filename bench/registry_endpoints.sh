#!/usr/bin/env bash
# Times `kohort ingest` and `kohort endpoints` on a simulated country: 1,000,000 persons (about
# 79 events each) and the starter library plus one generated endpoint per ICD-10 3-character code
# A00-Z99 (2,600; hospital and cause of death) -- over 2,600 endpoints. Reports wall time and peak
# memory (/usr/bin/time -v). Set BENCH_PERSONS to try a smaller population.
set -euo pipefail
: "${KOHORT:?}" "${KOHORT_SOURCE_DIR:?}" "${KOHORT_BENCH_WORK:?}"
persons=${BENCH_PERSONS:-1000000}
work="$KOHORT_BENCH_WORK/registry_endpoints_$persons"
mkdir -p "$work"
cd "$work"
if [ ! -f pop/persons.tsv ]; then
  "$KOHORT" --quiet simulate --persons "$persons" --variants 1000 --genotyped-fraction 0.01 --seed 1 --out pop > /dev/null
fi
events=$(($(wc -l < pop/events.tsv) - 1))

rm -rf definitions && mkdir definitions
cp "$KOHORT_SOURCE_DIR"/endpoints/*.toml definitions/
for letter in {A..Z}; do
  for number in $(seq -w 0 99); do
    code="$letter$number"
    printf '[ICD_%s]\ndescription = "ICD-10 %s, hospital or cause of death"\nNPR = { codes = "%s" }\nDAR = { codes = "%s" }\n' \
      "$code" "$code" "$code" "$code"
  done
done > definitions/icd10_3char.toml
n_endpoints=$(grep -c '^\[' definitions/*.toml | awk -F: '{s += $2} END {print s}')

measure() {  # label, command...: prints wall seconds and peak resident memory
  local label=$1
  shift
  /usr/bin/time -v "$@" > /dev/null 2> "$label.time"
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; ++i) s = s * 60 + t[i]; print s}' "$label.time")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.2f", $2 / 1048576}' "$label.time")
  echo "$label: wall ${wall} s, peak memory ${rss} GiB"
}

echo "persons $persons, events $events, endpoints $n_endpoints, threads ${KOHORT_THREADS:-all cores} ($(nproc) cores)"
measure ingest "$KOHORT" --quiet ingest --persons pop/persons.tsv --events pop/events.tsv --out store
measure endpoints "$KOHORT" --quiet endpoints --store store --definitions definitions --out ep --tables long --gzip
echo "store size $(du -sh store | cut -f1), long table $(du -sh ep.long.tsv.gz | cut -f1)"
echo "endpoints with cases: $(awk -F'\t' 'NR > 1 && $3 != "0"' ep.summary.tsv | wc -l)"
