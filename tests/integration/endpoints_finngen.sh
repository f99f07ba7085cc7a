#!/usr/bin/env bash
# FinnGen-style import: tests/endpoint/data/finngen_twin.tsv (FinnGen's column layout) and its
# hand-written TOML twin must give identical person-level results and summaries on a simulated population.
set -euo pipefail
: "${KOHORT:?}" "${KOHORT_SOURCE_DIR:?}" "${KOHORT_WORK:?}"
work="$KOHORT_WORK/endpoints_finngen"
rm -rf "$work"
mkdir -p "$work"
cd "$work"
data="$KOHORT_SOURCE_DIR/tests/endpoint/data"
"$KOHORT" --quiet simulate --persons 3000 --variants 0 --seed 5 --out pop > /dev/null
"$KOHORT" --quiet ingest --persons pop/persons.tsv --events pop/events.tsv --out store > /dev/null
"$KOHORT" --quiet endpoints --store store --definitions "$data/finngen_twin.tsv" --out finngen > /dev/null
"$KOHORT" --quiet endpoints --store store --definitions "$data/finngen_twin.toml" --out toml > /dev/null
LC_ALL=C sort finngen.long.tsv > a.tsv
LC_ALL=C sort toml.long.tsv > b.tsv
LC_ALL=C sort finngen.summary.tsv > a.summary
LC_ALL=C sort toml.summary.tsv > b.summary
echo "summary (FinnGen import):"
cat a.summary
cases=$(awk -F'\t' '$3 == "1"' a.tsv | wc -l)
endpoints=$(awk -F'\t' '$3 == "1" {print $2}' a.tsv | sort -u | wc -l)
echo "case rows $cases over $endpoints endpoints; long rows $(wc -l < a.tsv) vs $(wc -l < b.tsv)"
[ "$endpoints" -ge 8 ] || { echo "FAIL: fewer than 8 endpoints with cases"; exit 1; }
diff a.tsv b.tsv > /dev/null || { echo "FAIL: long tables differ"; diff a.tsv b.tsv | head; exit 1; }
diff a.summary b.summary || { echo "FAIL: summaries differ"; exit 1; }
echo "OK: FinnGen import and TOML twin agree"
