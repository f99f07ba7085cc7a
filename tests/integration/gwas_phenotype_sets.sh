#!/usr/bin/env bash
# A phenotype's results do not depend on which other phenotypes run with it, nor on the threads:
# kohort gwas on 30 quantitative and 2 binary phenotypes at once (at 2 threads; 36 products per
# genotype, summed in slices) writes, for each phenotype, the same bytes as a run of that phenotype
# alone (at 1 thread, 8 products), in the default and the exact-missing mode, from .bed codes and
# from BGEN dosages. One phenotype has
# missing values, so it forms a missingness group of its own. A third run keeps the products tables
# within 1 MiB (--memory), so each is built block by block. Exact equality of the files' content
# and of their compressed bytes: no tolerance. (Until 2026-12-08 the compressed bytes were only
# reported: ISA-L's level-1 deflate, used then, now and then compressed a block differently from
# run to run.)
set -euo pipefail
: "${KOHORT:?path of the kohort binary}" "${KOHORT_WORK:=/tmp/kohort-test-work}"
"$KOHORT_SOURCE_DIR/scripts/install-deps" test >/dev/null
work="$KOHORT_WORK/gwas_phenotype_sets"
rm -rf "$work" && mkdir -p "$work" && cd "$work"
"$KOHORT" -q simulate --persons 8000 --genotyped 2500 --variants 6000 --seed 7 --out population >/dev/null
awk 'BEGIN { srand(13); printf "FID\tIID"; for (j = 1; j <= 30; j++) printf "\tq%d", j; print "\tb1\tb2\tc1\tc2" }
     { c1 = rand(); c2 = rand(); printf "%s\t%s", $1, $2
       for (j = 1; j <= 30; j++) {
         q = 0.3 * c1 + sqrt(-2 * log(rand() + 1e-12)) * cos(6.283185307 * rand())
         if (j == 5 && rand() < 0.05) printf "\tNA"; else printf "\t%.6f", q }
       printf "\t%d\t%d\t%.6f\t%.6f\n", (rand() < 0.2 + 0.2 * c1) ? 2 : 1, (rand() < 0.05) ? 2 : 1, c1, c2 }' \
  population/genotypes.fam > pheno.txt
all=$(seq -s, -f 'q%g' 1 30),b1,b2
fail=0
same_content() {  # label, what, file alone, file among others
  if cmp -s <(zcat "$3") <(zcat "$4"); then
    if cmp -s "$3" "$4"; then
      echo "ok   $1: $2, byte for byte, compressed too"
    else
      echo "FAIL $1: same content, compressed differently ($2)"; fail=1
    fi
  else
    echo "FAIL $1: differs ($2); first differing rows:"
    diff <(zcat "$3") <(zcat "$4") | head -4 || true
    fail=1
  fi
}
for mode in mean exclude; do
  "$KOHORT" -q --threads 2 gwas --bfile population/genotypes --pheno pheno.txt --pheno-col "$all" --covar pheno.txt \
    --covar-col c1,c2 --missing-genotypes "$mode" --out "all_$mode" >/dev/null
  # The same within 1 MiB of products tables: one phenotype's table at a time, built for each block.
  "$KOHORT" --threads 2 gwas --bfile population/genotypes --pheno pheno.txt --pheno-col "$all" --covar pheno.txt \
    --covar-col c1,c2 --missing-genotypes "$mode" --memory 1 --block-size 1000 --out "limited_$mode" 2>limited.log >/dev/null
  if ! grep -q "built for each block in" limited.log; then
    echo "FAIL $mode: --memory 1 did not build the tables block by block"; cat limited.log; fail=1
  fi
  for p in q1 q5 q17 q30 b1 b2; do
    "$KOHORT" -q --threads 1 gwas --bfile population/genotypes --pheno pheno.txt --pheno-col "$p" --covar pheno.txt \
      --covar-col c1,c2 --missing-genotypes "$mode" --out "alone_$mode" >/dev/null
    rows=$(zcat "alone_$mode.$p.tsv.gz" | wc -l)
    if [ "$rows" -lt 5000 ]; then
      echo "FAIL $mode $p: only $rows rows"; fail=1
    fi
    same_content "$mode $p" "alone and among 32 phenotypes, the same $rows rows" "alone_$mode.$p.tsv.gz" "all_$mode.$p.tsv.gz"
    same_content "$mode $p" "also with the tables limited to 1 MiB" "alone_$mode.$p.tsv.gz" "limited_$mode.$p.tsv.gz"
  done
done
# Decoded dosages (8-bit BGEN of the same genotypes) have the same property: all 32 phenotypes at 2
# threads against each alone at 1 thread, in both modes. The linear products are summed lane by lane
# (tests/assoc/dense_sums_test.cpp checks the bits); the binary models gather each phenotype's
# samples and fit them on their own, with column chunks that do not depend on the threads.
plink2 --bfile population/genotypes --export bgen-1.2 bits=8 ref-first --out dosages >/dev/null
for mode in mean exclude; do
  "$KOHORT" -q --threads 2 gwas --bgen dosages.bgen --sample dosages.sample --pheno pheno.txt --pheno-col "$all" \
    --covar pheno.txt --covar-col c1,c2 --missing-genotypes "$mode" --out "all_bgen_$mode" >/dev/null 2>bgen.log \
    || { cat bgen.log; exit 1; }
  for p in q1 q5 q17 b1 b2; do
    "$KOHORT" -q --threads 1 gwas --bgen dosages.bgen --sample dosages.sample --pheno pheno.txt --pheno-col "$p" \
      --covar pheno.txt --covar-col c1,c2 --missing-genotypes "$mode" --out "alone_bgen_$mode" >/dev/null 2>bgen.log \
      || { cat bgen.log; exit 1; }
    same_content "BGEN $mode $p" "alone and among 32 phenotypes, the same rows" "alone_bgen_$mode.$p.tsv.gz" "all_bgen_$mode.$p.tsv.gz"
  done
done
# The binary phenotype's file must hold more than score tests for the check above to cover them.
tests=$(zcat all_bgen_mean.b1.tsv.gz | awk -F'\t' 'NR == 1 { for (c = 1; c <= NF; c++) if ($c == "test") t = c; next } { n[$t]++ }
                                                      END { print n["firth"] + 0, n["spa"] + 0 }')
if [ "${tests% *}" -lt 50 ]; then
  echo "FAIL BGEN b1: only ${tests% *} Firth fits among its variants"; fail=1
else
  echo "ok   BGEN b1: ${tests% *} Firth fits and ${tests#* } saddlepoint approximations among its variants"
fi
[ "$fail" -eq 0 ] && echo PASS || exit 1
