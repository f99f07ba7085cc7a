#!/usr/bin/env bash
# Simulated truth: endpoints written from the simulator's own code sets (truth.json) must find
# exactly the persons whose simulated disease reached a registry (truth_diagnoses.tsv with a
# first_record_date), with that date as the first-event date.
set -euo pipefail
: "${KOHORT:?}" "${KOHORT_SOURCE_DIR:?}" "${KOHORT_WORK:?}"
work="$KOHORT_WORK/endpoints_truth"
rm -rf "$work"
mkdir -p "$work"
cd "$work"

"$KOHORT" --quiet simulate --persons 5000 --variants 0 --seed 11 --gzip --out pop > /dev/null
"$KOHORT" --quiet ingest --persons pop/persons.tsv --events pop/events.tsv.gz --out store > /dev/null
# One endpoint per simulated disease: every source's code prefixes, one event suffices.
jq -r '.diseases[] | "[\(.name)]", "description = \"\(.label)\"",
  (.codes | to_entries[] | select(.value | length > 0) | "\(.key) = { codes = \"\(.value | join("|"))\", min_events = 1 }")' \
  pop/truth.json > truth.toml
"$KOHORT" --quiet endpoints --store store --definitions truth.toml --out ep --tables long > /dev/null

awk -F'\t' 'NR > 1 && $3 == "1" {print $1"\t"$2"\t"$4}' ep.long.tsv | LC_ALL=C sort > kohort.tsv
awk -F'\t' 'NR > 1 && $4 != "NA" {print $1"\t"$2"\t"$4}' pop/truth_diagnoses.tsv | LC_ALL=C sort > truth.tsv
echo "cases per disease (kohort / truth):"
join -a1 -a2 -e0 -o 0,1.2,2.2 <(cut -f2 kohort.tsv | sort | uniq -c | awk '{print $2" "$1}') \
  <(cut -f2 truth.tsv | sort | uniq -c | awk '{print $2" "$1}')
[ "$(wc -l < truth.tsv)" -gt 100 ] || { echo "FAIL: too few diagnosed persons in truth ($(wc -l < truth.tsv))"; exit 1; }
if ! diff kohort.tsv truth.tsv > diff.txt; then
  echo "FAIL: $(grep -c '^[<>]' diff.txt) differing (person, disease, first date) rows; first:"
  head -20 diff.txt
  exit 1
fi
echo "OK: $(wc -l < kohort.tsv) (person, disease, first-record date) rows identical"
