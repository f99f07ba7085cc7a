#!/usr/bin/env bash
# Phenotypes that cannot be tested do not stop a run over many, and do not touch the others:
# kohort gwas on a constant phenotype, one that is a combination of a covariate, one of zeros
# only (constant; read as binary with --pheno-type binary, it has no cases) and testable ones warns
# about each untestable one, writes its file with every variant NA and the reason (CONST_PHENO,
# NULL_MODEL_FAIL), exits 0, and gives the testable phenotypes the same bytes as a run of each
# alone, also with the tables built per block (--memory). Covariates collinear on all samples stop
# the run with an error naming one of them.
set -euo pipefail
: "${KOHORT:?path of the kohort binary}" "${KOHORT_WORK:=/tmp/kohort-test-work}"
work="$KOHORT_WORK/gwas_untestable_phenotypes"
rm -rf "$work" && mkdir -p "$work" && cd "$work"
"$KOHORT" -q simulate --persons 4000 --genotyped 1200 --variants 1500 --seed 3 --out population >/dev/null
# c1 is printed with 17 digits, so 2.5 * c1 - 1 below is a combination of the covariate to the
# last bit of its parsed value.
awk 'BEGIN { srand(5); print "FID\tIID\tc1\tq1\tconstant\tfrom_c1\tq2\tb1\tno_cases" }
     { c1 = rand(); q1 = 0.4 * c1 + rand(); q2 = rand()
       printf "%s\t%s\t%.17g\t%.6f\t7\t%.17g\t%.6f\t%d\t0\n", $1, $2, c1, q1, 2.5 * c1 - 1, q2, rand() < 0.3 }' \
  population/genotypes.fam > pheno.txt
fail=0
check_untestable() {  # file phenotype error label
  local counts
  counts=$(zcat "$1" | awk -F'\t' -v e="$3" 'NR > 1 { rows++; if ($5 == "NA" && $8 == "NA" && $NF == e) na++ } END { print rows + 0, na + 0 }')
  if [ "${counts% *}" -lt 1400 ] || [ "${counts% *}" != "${counts#* }" ]; then
    echo "FAIL $2: rows, rows NA with $3: $counts ($4)"; fail=1
  else
    echo "ok   $2: all ${counts% *} variants NA with $3 ($4)"
  fi
  if ! grep -q "warning: .*phenotype '$2'" run.log; then echo "FAIL $2: no warning ($4)"; cat run.log; fail=1; fi
}
check_alone() {  # phenotype label [options]
  local phenotype=$1 label=$2
  shift 2
  "$KOHORT" -q gwas --bfile population/genotypes --pheno pheno.txt --pheno-col "$phenotype" --covar pheno.txt --covar-col c1 \
    "$@" --out alone >/dev/null
  # The files' content, not their compressed bytes: see gwas_phenotype_sets.sh.
  if cmp -s <(zcat "alone.$phenotype.tsv.gz") <(zcat "all.$phenotype.tsv.gz"); then
    echo "ok   $phenotype: the same bytes as alone ($label)"
  else
    echo "FAIL $phenotype: differs from a run alone ($label)"; fail=1
  fi
  if grep -q "warning: .*phenotype '$phenotype'" run.log; then echo "FAIL: testable $phenotype was warned about"; cat run.log; fail=1; fi
}
for memory in 0 1; do
  limit=() label="tables kept"
  if [ "$memory" -gt 0 ]; then limit=(--memory "$memory") label="tables per block"; fi
  if ! "$KOHORT" --threads 2 gwas --bfile population/genotypes --pheno pheno.txt --pheno-col q1,constant,from_c1,q2,b1,no_cases \
    --covar pheno.txt --covar-col c1 "${limit[@]}" --out all 2>run.log >/dev/null; then
    echo "FAIL: kohort gwas failed ($label)"; cat run.log; exit 1
  fi
  for phenotype in constant from_c1 no_cases; do check_untestable "all.$phenotype.tsv.gz" "$phenotype" CONST_PHENO "$label"; done
  for phenotype in q1 q2 b1; do check_alone "$phenotype" "$label"; done
  if ! "$KOHORT" --threads 2 gwas --bfile population/genotypes --pheno pheno.txt --pheno-col b1,no_cases --pheno-type binary \
    --covar pheno.txt --covar-col c1 "${limit[@]}" --out all 2>run.log >/dev/null; then
    echo "FAIL: kohort gwas --pheno-type binary failed ($label)"; cat run.log; exit 1
  fi
  check_untestable all.no_cases.tsv.gz no_cases NULL_MODEL_FAIL "binary, $label"
  check_alone b1 "binary, $label" --pheno-type binary
done
# Collinear covariates on all samples are an input error naming the covariate, and nothing is written.
status=0
"$KOHORT" gwas --bfile population/genotypes --pheno pheno.txt --pheno-col q1 --covar pheno.txt --covar-col c1,from_c1 \
  --out collinear 2>run.log >/dev/null || status=$?
written=$(find . -maxdepth 1 -name 'collinear.*' | wc -l)
if [ "$status" -eq 2 ] && grep -q "collinear: 'from_c1'" run.log && [ "$written" -eq 0 ]; then
  echo "ok   collinear covariates: exit 2, the message names from_c1, no output"
else
  echo "FAIL collinear covariates: exit $status, $written files written"; cat run.log; fail=1
fi
[ "$fail" -eq 0 ] && echo PASS || exit 1
