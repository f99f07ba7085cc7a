#!/usr/bin/env bash
# A genotype block that turns out corrupt in the middle of a run, after earlier blocks' rows have
# been written (a block's files are written on a thread of their own while the next is tested):
# kohort gwas stops with exit 2, names the file and the variant, and leaves no output and no
# temporary files behind, at 1 and at 2 threads.
set -euo pipefail
: "${KOHORT:?path of the kohort binary}" "${KOHORT_WORK:=/tmp/kohort-test-work}"
work="$KOHORT_WORK/gwas_stream_errors"
rm -rf "$work" && mkdir -p "$work" && cd "$work"
"$KOHORT" -q simulate --persons 3000 --genotyped 1000 --variants 1200 --seed 4 --out population >/dev/null
plink2 --bfile population/genotypes --export bgen-1.2 bits=8 --out good >/dev/null
awk 'BEGIN { srand(2); print "FID\tIID\tq1\tq2" } { printf "%s\t%s\t%.6f\t%.6f\n", $1, $2, rand(), rand() }' \
  population/genotypes.fam > pheno.txt
# 64 bytes of 0xff 60% into the file: inside a variant's compressed genotypes (the headers, read
# when the file is opened, are a few percent of it), so the run fails at that variant's block.
cp good.bgen bad.bgen
offset=$(( $(stat -c %s good.bgen) * 6 / 10 ))
printf '\xff%.0s' $(seq 64) | dd of=bad.bgen bs=1 seek="$offset" conv=notrunc status=none
fail=0
# The intact file runs, so a failure below is the corruption's.
"$KOHORT" -q gwas --bgen good.bgen --sample good.sample --pheno pheno.txt --pheno-col q1,q2 --block-size 64 --out good >/dev/null
for threads in 1 2; do
  status=0
  "$KOHORT" --threads "$threads" gwas --bgen bad.bgen --sample good.sample --pheno pheno.txt --pheno-col q1,q2 \
    --block-size 64 --out bad 2>run.log >/dev/null || status=$?
  variant=$(sed -n 's/.*error: bad\.bgen: variant \([0-9]*\) .*/\1/p' run.log)
  left=$(find . -maxdepth 1 -name 'bad.*' ! -name bad.bgen | wc -l)
  if [ "$status" -eq 2 ] && [ -n "$variant" ] && [ "$variant" -gt 128 ] && [ "$left" -eq 0 ]; then
    echo "ok   $threads thread(s): exit 2 at variant $variant (block $(( (variant - 1) / 64 + 1 ))), nothing left behind"
  else
    echo "FAIL $threads thread(s): exit $status, variant '${variant}', $left files left"; cat run.log; find . -maxdepth 1 -name 'bad.*'; fail=1
  fi
done
[ "$fail" -eq 0 ] && echo PASS || exit 1
