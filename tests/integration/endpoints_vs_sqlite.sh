#!/usr/bin/env bash
# Oracle test: the endpoints of tests/endpoint/data/oracle.toml (every rule kind) computed by
# kohort and by plain SQL in sqlite3 on the same simulated population must agree person by person
# (status, first-event date, number of events; exact).
set -euo pipefail
: "${KOHORT:?}" "${KOHORT_SOURCE_DIR:?}" "${KOHORT_WORK:?}"
work="$KOHORT_WORK/endpoints_vs_sqlite"
rm -rf "$work"
mkdir -p "$work"
cd "$work"

"$KOHORT" --quiet simulate --persons 5000 --variants 0 --seed 7 --out pop > /dev/null
"$KOHORT" --quiet ingest --persons pop/persons.tsv --events pop/events.tsv --out store > ingest.txt
read_rows=$(awk -F'\t' '$1=="events read"{print $2}' ingest.txt)
kept_rows=$(awk -F'\t' '$1=="events kept"{print $2}' ingest.txt)
echo "ingest: events read $read_rows, kept $kept_rows"
[ "$read_rows" = "$kept_rows" ] || { echo "FAIL: ingest dropped simulated events"; exit 1; }
"$KOHORT" --quiet endpoints --store store --definitions "$KOHORT_SOURCE_DIR/tests/endpoint/data/oracle.toml" --out ep > /dev/null

# The same tables at one thread, byte for byte.
"$KOHORT" --quiet --threads 1 endpoints --store store --definitions "$KOHORT_SOURCE_DIR/tests/endpoint/data/oracle.toml" --out ep1 > /dev/null
for table in wide.tsv long.tsv summary.tsv; do
  cmp "ep.$table" "ep1.$table" || { echo "FAIL: ep.$table differs between thread counts"; exit 1; }
done

# kohort's wide table as long rows: person endpoint status date nevt.
awk -F'\t' 'NR==1{for(i=3;i<=NF;i+=4) name[i]=$i; next}
  {for(i=3;i<=NF;i+=4) print $1"\t"name[i]"\t"$i"\t"$(i+1)"\t"$(i+3)}' ep.wide.tsv | LC_ALL=C sort > kohort.tsv

age="(CAST(strftime('%Y',e.date) AS INT) - CAST(strftime('%Y',p.birth_date) AS INT) - (strftime('%m-%d',e.date) < strftime('%m-%d',p.birth_date)))"
sqlite3 oracle.db <<SQL
CREATE TABLE persons(person_id TEXT PRIMARY KEY, sex TEXT, birth_date TEXT, death_date TEXT, emigration_date TEXT, region TEXT);
CREATE TABLE events(person_id TEXT, date TEXT, source TEXT, code_system TEXT, code TEXT, role TEXT, value TEXT);
.mode tabs
.import --skip 1 pop/persons.tsv persons
.import --skip 1 pop/events.tsv events
-- One row per source rule: endpoint, rule, source, code system ('' any), pattern, exclusion,
-- main only, minimum events, age window (NULL: none).
CREATE TABLE rules(ep TEXT, rule INT, source TEXT, system TEXT, pattern TEXT, excl TEXT, main_only INT, min_events INT, age_min INT, age_max INT);
INSERT INTO rules VALUES
 ('T2D_ANY',1,'NPR','','^E11','',0,1,NULL,NULL), ('T2D_ANY',2,'KUHR','','^T90','',0,1,NULL,NULL),
 ('HF_MAIN',1,'NPR','','^I50','',1,1,NULL,NULL), ('HF_MAIN',2,'DAR','','^I50','',1,1,NULL,NULL),
 ('IHD_NO_I25',1,'NPR','','^I2[0-5]','^I25',0,1,NULL,NULL),
 ('DM_DRUG',1,'LMR','','^A10B','',0,3,NULL,NULL),
 ('STATIN2',1,'LMR','','^C10AA','',0,2,NULL,NULL),
 ('BREAST_F',1,'KREFT','','^C50','',0,1,NULL,NULL), ('BREAST_F',2,'NPR','','^C50','',0,1,NULL,NULL),
 ('T2D_MIDLIFE',1,'NPR','','^E11','',0,1,40,65), ('T2D_MIDLIFE',2,'KUHR','','^T90','',0,1,40,65),
 ('CVD',1,'NPR','','^I6[34]','',0,1,NULL,NULL),
 ('T2D_NOHF',1,'NPR','','^E11','',0,1,NULL,NULL), ('T2D_NOHF',2,'KUHR','','^T90','',0,1,NULL,NULL),
 ('AF_CTRL',1,'NPR','','^I48','',0,1,NULL,NULL),
 ('PCI',1,'NPR','NCSP','^FN[BG]','',0,1,NULL,NULL),
 ('ASTHMA',1,'KUHR','','^R96','',0,1,NULL,NULL), ('ASTHMA',2,'NPR','','^J4[56]','',0,1,NULL,NULL);
CREATE TABLE hits AS
  SELECT r.ep, r.rule, e.person_id, e.date FROM rules r
  JOIN events e ON e.source = r.source AND (r.system = '' OR e.code_system = r.system)
  JOIN persons p ON p.person_id = e.person_id
  WHERE e.code REGEXP r.pattern AND (r.excl = '' OR NOT e.code REGEXP r.excl)
    AND (r.main_only = 0 OR e.role IN ('main', 'underlying'))
    AND (r.age_min IS NULL OR $age >= r.age_min) AND (r.age_max IS NULL OR $age <= r.age_max);
CREATE TABLE ok AS
  SELECT h.ep, h.rule, h.person_id, min(h.date) AS d, count(*) AS n FROM hits h JOIN rules r ON r.ep = h.ep AND r.rule = h.rule
  GROUP BY h.ep, h.rule, h.person_id HAVING count(*) >= max(r.min_events);
CREATE TABLE own AS SELECT ep, person_id, min(d) AS d, sum(n) AS n FROM ok GROUP BY ep, person_id;
CREATE TABLE fin(ep TEXT, person_id TEXT, status TEXT, d TEXT, n TEXT);
-- Endpoints with codes only.
INSERT INTO fin SELECT x.ep, p.person_id, CASE WHEN o.person_id IS NULL THEN '0' ELSE '1' END, o.d, coalesce(o.n, 0)
  FROM persons p CROSS JOIN (SELECT 'T2D_ANY' AS ep UNION SELECT 'HF_MAIN' UNION SELECT 'IHD_NO_I25' UNION SELECT 'DM_DRUG'
                             UNION SELECT 'STATIN2' UNION SELECT 'T2D_MIDLIFE' UNION SELECT 'PCI' UNION SELECT 'ASTHMA') x
  LEFT JOIN own o ON o.ep = x.ep AND o.person_id = p.person_id;
-- Sex: men are NA.
INSERT INTO fin SELECT 'BREAST_F', p.person_id, CASE WHEN p.sex <> 'F' THEN 'NA' WHEN o.person_id IS NULL THEN '0' ELSE '1' END,
  CASE WHEN p.sex = 'F' THEN o.d END, CASE WHEN p.sex <> 'F' THEN 'NA' ELSE coalesce(o.n, 0) END
  FROM persons p LEFT JOIN own o ON o.ep = 'BREAST_F' AND o.person_id = p.person_id;
-- Include: own cases plus IHD_NO_I25 and HF_MAIN cases; earliest date, events added up.
INSERT INTO fin SELECT 'CVD', p.person_id,
  CASE WHEN o.person_id IS NOT NULL OR i.status = '1' OR h.status = '1' THEN '1' ELSE '0' END,
  (SELECT min(v) FROM (SELECT o.d AS v UNION ALL SELECT i.d UNION ALL SELECT h.d)),
  coalesce(o.n, 0) + CASE WHEN i.status = '1' THEN i.n ELSE 0 END + CASE WHEN h.status = '1' THEN h.n ELSE 0 END
  FROM persons p LEFT JOIN own o ON o.ep = 'CVD' AND o.person_id = p.person_id
  JOIN fin i ON i.ep = 'IHD_NO_I25' AND i.person_id = p.person_id
  JOIN fin h ON h.ep = 'HF_MAIN' AND h.person_id = p.person_id;
-- Conditions: !HF_MAIN & (DM_DRUG | T2D_ANY_NEVT>=3).
INSERT INTO fin SELECT 'T2D_NOHF', p.person_id, CASE WHEN c.ok THEN '1' ELSE '0' END, CASE WHEN c.ok THEN o.d END,
  CASE WHEN c.ok THEN o.n ELSE 0 END
  FROM persons p LEFT JOIN own o ON o.ep = 'T2D_NOHF' AND o.person_id = p.person_id
  JOIN (SELECT p2.person_id AS id, (o2.person_id IS NOT NULL AND h.status <> '1' AND (d.status = '1' OR CAST(t.n AS INT) >= 3)) AS ok
        FROM persons p2 LEFT JOIN own o2 ON o2.ep = 'T2D_NOHF' AND o2.person_id = p2.person_id
        JOIN fin h ON h.ep = 'HF_MAIN' AND h.person_id = p2.person_id
        JOIN fin d ON d.ep = 'DM_DRUG' AND d.person_id = p2.person_id
        JOIN fin t ON t.ep = 'T2D_ANY' AND t.person_id = p2.person_id) c ON c.id = p.person_id;
-- Control exclusion: HF_MAIN or IHD_NO_I25 cases who are not AF cases are NA.
INSERT INTO fin SELECT 'AF_CTRL', p.person_id,
  CASE WHEN o.person_id IS NOT NULL THEN '1' WHEN h.status = '1' OR i.status = '1' THEN 'NA' ELSE '0' END, o.d,
  CASE WHEN o.person_id IS NOT NULL THEN o.n WHEN h.status = '1' OR i.status = '1' THEN 'NA' ELSE 0 END
  FROM persons p LEFT JOIN own o ON o.ep = 'AF_CTRL' AND o.person_id = p.person_id
  JOIN fin h ON h.ep = 'HF_MAIN' AND h.person_id = p.person_id
  JOIN fin i ON i.ep = 'IHD_NO_I25' AND i.person_id = p.person_id;
.output sqlite.tsv
SELECT person_id, ep, status, coalesce(d, 'NA'), n FROM fin;
.output stdout
.mode list
.separator "\t"
.output counts.tsv
SELECT ep, sum(status = '1'), sum(status = '0'), sum(status = 'NA') FROM fin GROUP BY ep ORDER BY ep;
SQL
LC_ALL=C sort -o sqlite.tsv sqlite.tsv

echo "endpoint cases controls NA (sqlite):"
cat counts.tsv
n_endpoints=$(cut -f2 kohort.tsv | sort -u | wc -l)
n_rows=$(wc -l < kohort.tsv)
echo "kohort: $n_endpoints endpoints, $n_rows person-endpoint rows; sqlite: $(wc -l < sqlite.tsv) rows"
[ "$n_endpoints" -ge 10 ] || { echo "FAIL: fewer than 10 endpoints"; exit 1; }
# Every endpoint must have cases, or the comparison proves little.
if awk -F'\t' '$2 == 0 {bad=1} END {exit !bad}' counts.tsv; then echo "FAIL: an endpoint without cases"; exit 1; fi
if ! diff kohort.tsv sqlite.tsv > diff.txt; then
  echo "FAIL: kohort and sqlite differ in $(grep -c '^[<>]' diff.txt) rows; first differences:"
  head -20 diff.txt
  exit 1
fi
echo "OK: kohort and sqlite agree on all $n_rows rows"
