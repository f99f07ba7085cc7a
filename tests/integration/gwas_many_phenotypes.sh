#!/usr/bin/env bash
# Many phenotypes in one run, as PheWAS of registry endpoints ask (thousands of files open at
# once): with the soft limit on open files below what the run needs, kohort raises it to the hard
# limit and runs; each phenotype's file is then the same as when it runs alone. With the hard limit
# too low, kohort stops before any work with exit 2, says how many files it needs and how to
# split the run, and leaves no file behind. The groups it asks for are ranges of columns.
set -euo pipefail
: "${KOHORT:?path of the kohort binary}" "${KOHORT_WORK:=/tmp/kohort-test-work}"
work="$KOHORT_WORK/gwas_many_phenotypes"
rm -rf "$work" && mkdir -p "$work" && cd "$work"
"$KOHORT" -q simulate --persons 600 --genotyped 400 --variants 300 --seed 8 --out population >/dev/null
phenotypes=150
awk -v p="$phenotypes" 'BEGIN { srand(9); printf "FID\tIID"; for (j = 1; j <= p; j++) printf "\tp%d", j; print "" }
  { printf "%s\t%s", $1, $2; for (j = 1; j <= p; j++) printf "\t%.6f", rand(); print "" }' population/genotypes.fam > pheno.txt
fail=0
check() {  # description, condition (0 true)
  if [ "$2" -eq 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi
}

hard=$(ulimit -Hn)
if [ "$hard" = unlimited ] || [ "$hard" -ge 400 ]; then
  status=0
  mkdir many
  (ulimit -Sn 64 && "$KOHORT" -q --threads 2 gwas --bfile population/genotypes --pheno pheno.txt --out many/run) \
    >/dev/null 2>run.log || status=$?
  files=$(find many -name 'run.p*.tsv.gz' | wc -l)
  check "soft limit 64, $phenotypes phenotypes: exit $status, $files files" $(( status != 0 || files != phenotypes ))
  [ "$status" -eq 0 ] || cat run.log
  rows=$(zcat many/run.p150.tsv.gz | wc -l)
  check "the last phenotype's file has a row per variant ($rows lines)" $(( rows != 301 ))
  # A phenotype's results do not depend on the phenotypes run with it.
  for p in p1 p77 p150; do
    "$KOHORT" -q gwas --bfile population/genotypes --pheno pheno.txt --pheno-col "$p" --out alone >/dev/null
    same=0; cmp -s <(zcat "many/run.$p.tsv.gz") <(zcat "alone.$p.tsv.gz") || same=1
    check "$p: its file in the run of $phenotypes equals its run alone" "$same"
  done
else
  echo "skip soft-limit case: the hard limit on open files is $hard"
fi

# The groups such a message asks for, as ranges of columns in the file's order.
"$KOHORT" -q gwas --bfile population/genotypes --pheno pheno.txt --pheno-col p1-p40,p120-p125,p141 --out group >/dev/null
files=$(find . -maxdepth 1 -name 'group.p*.tsv.gz' | wc -l)
check "--pheno-col p1-p40,p120-p125,p141: 47 files ($files)" $(( files != 47 ))
"$KOHORT" -q gwas --bfile population/genotypes --pheno pheno.txt --pheno-col p122 --out alone >/dev/null
same=0; cmp -s <(zcat group.p122.tsv.gz) <(zcat alone.p122.tsv.gz) || same=1
check "p122 of the group equals its run alone" "$same"

status=0
(ulimit -n 64 && "$KOHORT" gwas --bfile population/genotypes --pheno pheno.txt --out low) >/dev/null 2>low.log || status=$?
left=$(find . -maxdepth 1 -name 'low.*' ! -name low.log | wc -l)
said=0; grep -q "error: $phenotypes phenotypes need [0-9]* files open at once, and this process may open 64" low.log || said=1
check "hard limit 64: exit $status (2 expected), $left files left" $(( status != 2 || left != 0 ))
check "hard limit 64: the message says what is needed and what is allowed" "$said"
[ "$said" -eq 0 ] || cat low.log
[ "$fail" -eq 0 ] && echo PASS || exit 1
