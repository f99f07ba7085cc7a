#!/usr/bin/env bash
# OMOP CDM input: a simulated population loaded into OMOP tables in SQLite (conditions from NPR
# ICD-10, drugs from LMR, procedures from NPR NCSP, death causes from DAR) and ingested with
# --omop must give the same endpoints, person by person, as the same rows in kohort's long format.
set -euo pipefail
: "${KOHORT:?}" "${KOHORT_SOURCE_DIR:?}" "${KOHORT_WORK:?}"
work="$KOHORT_WORK/endpoints_omop"
rm -rf "$work"
mkdir -p "$work"
cd "$work"
"$KOHORT" --quiet simulate --persons 3000 --variants 0 --seed 9 --out pop > /dev/null
# The rows OMOP carries: NPR, LMR and DAR underlying causes.
awk -F'\t' 'NR == 1 || $3 == "NPR" || $3 == "LMR" || ($3 == "DAR" && $6 == "underlying")' pop/events.tsv > events_omop.tsv
awk -F'\t' 'NR > 1 {print NR - 1"\t"$0}' pop/persons.tsv > persons_numbered.tsv
awk -F'\t' 'NR > 1 {print NR - 1"\t"$0}' events_omop.tsv > events_numbered.tsv
sqlite3 cdm.sqlite <<'SQL'
CREATE TABLE p(n INT, person_id TEXT, sex TEXT, birth TEXT, death TEXT, emigration TEXT, region TEXT);
CREATE TABLE e(n INT, person_id TEXT, date TEXT, source TEXT, code_system TEXT, code TEXT, role TEXT, value TEXT);
.mode tabs
.import persons_numbered.tsv p
.import events_numbered.tsv e
CREATE TABLE person(person_id INTEGER, gender_concept_id INTEGER, year_of_birth INTEGER, month_of_birth INTEGER,
  day_of_birth INTEGER, person_source_value TEXT);
INSERT INTO person SELECT n, CASE sex WHEN 'M' THEN 8507 ELSE 8532 END, CAST(substr(birth, 1, 4) AS INT),
  CAST(substr(birth, 6, 2) AS INT), CAST(substr(birth, 9, 2) AS INT), person_id FROM p;
CREATE TABLE observation_period(observation_period_id INTEGER, person_id INTEGER, observation_period_start_date TEXT,
  observation_period_end_date TEXT);
INSERT INTO observation_period SELECT n, n, '2008-01-01',
  CASE WHEN emigration <> 'NA' THEN emigration WHEN death <> 'NA' THEN death ELSE '2024-12-31' END FROM p;
CREATE TABLE death(person_id INTEGER, death_date TEXT, cause_source_value TEXT);
INSERT INTO death SELECT p.n, p.death, (SELECT e.code FROM e WHERE e.person_id = p.person_id AND e.source = 'DAR' LIMIT 1)
  FROM p WHERE p.death <> 'NA';
CREATE TABLE condition_occurrence(condition_occurrence_id INTEGER, person_id INTEGER, condition_start_date TEXT,
  condition_source_value TEXT, condition_status_concept_id INTEGER);
INSERT INTO condition_occurrence SELECT e.n, p.n, e.date, e.code, CASE e.role WHEN 'main' THEN 32902 ELSE 32908 END
  FROM e JOIN p ON p.person_id = e.person_id WHERE e.source = 'NPR' AND e.code_system = 'ICD10';
CREATE TABLE procedure_occurrence(procedure_occurrence_id INTEGER, person_id INTEGER, procedure_date TEXT, procedure_source_value TEXT);
INSERT INTO procedure_occurrence SELECT e.n, p.n, e.date, e.code FROM e JOIN p ON p.person_id = e.person_id
  WHERE e.source = 'NPR' AND e.code_system = 'NCSP';
CREATE TABLE drug_exposure(drug_exposure_id INTEGER, person_id INTEGER, drug_exposure_start_date TEXT, drug_source_value TEXT, quantity REAL);
INSERT INTO drug_exposure SELECT e.n, p.n, e.date, e.code, CAST(e.value AS REAL) FROM e JOIN p ON p.person_id = e.person_id
  WHERE e.source = 'LMR';
DROP TABLE p;
DROP TABLE e;
SQL
"$KOHORT" --quiet ingest --omop cdm.sqlite --out store_omop > omop.txt
"$KOHORT" --quiet ingest --persons pop/persons.tsv --events events_omop.tsv --out store_long > long.txt
echo "omop ingest:"; cat omop.txt
echo "long ingest:"; cat long.txt
diff <(grep -v '^events read' omop.txt) <(grep -v '^events read' long.txt) || { echo "FAIL: row counts differ"; exit 1; }
defs="$KOHORT_SOURCE_DIR/tests/endpoint/data/oracle.toml"
"$KOHORT" --quiet endpoints --store store_omop --definitions "$defs" --out omop > /dev/null
"$KOHORT" --quiet endpoints --store store_long --definitions "$defs" --out long > /dev/null
cases=$(awk -F'\t' '$3 == "1"' long.long.tsv | wc -l)
echo "case rows: $cases"
[ "$cases" -gt 200 ] || { echo "FAIL: too few cases to compare"; exit 1; }
cmp omop.wide.tsv long.wide.tsv || { echo "FAIL: wide tables differ"; diff omop.wide.tsv long.wide.tsv | head -5; exit 1; }
echo "OK: OMOP and long-format stores give identical endpoint tables"
