#!/usr/bin/env bash
# kohort gwas and plink2 --glm side by side on 20,000 samples x 100,000 variants (plink2 --dummy),
# 5 covariates: 1 quantitative phenotype, 20 quantitative phenotypes and 1 binary phenotype, on a
# set without missing calls and on one with 1% missing calls (kohort in exact-missing mode there,
# so both compute the same linear models; kohort's binary score test counts missing calls as the
# mean in any mode), against plink2 at its faster thread setting (all threads or 1). Then the quantitative cases on a BGEN 1.2 (8-bit, zlib) export of BGEN_VARIANTS (default
# 20,000) of the variants, where both tools must decode dosages. Prints
# wall-clock medians over REPEAT runs, the ratios, and kohort's own cost of 20 phenotypes relative
# to one. Also one phenotype under the dominant and recessive codings.
# Environment: KOHORT (binary), KOHORT_BENCH_WORK (scratch), SAMPLES, VARIANTS, REPEAT (default 1),
# THREADS (default: all cores, for both tools).
set -euo pipefail
. "$(cd "$(dirname "$0")" && pwd)/lib/median_seconds.sh"  # median_seconds COMMAND...
: "${KOHORT:?path of the kohort binary}" "${KOHORT_BENCH_WORK:=/tmp/kohort-bench}"
KOHORT=$(realpath "$KOHORT")  # the script works in its scratch folder
samples=${SAMPLES:-20000} variants=${VARIANTS:-100000} repeat=${REPEAT:-1} threads=${THREADS:-$(nproc)}
work="$KOHORT_BENCH_WORK/gwas_vs_plink2_${samples}x${variants}"
mkdir -p "$work" && cd "$work"

for set in full missing; do
  [ -f "$set.bed" ] && continue
  rate=$([ "$set" = full ] && echo 0 || echo 0.01)
  plink2 --dummy "$samples" "$variants" "$rate" acgt --make-bed --out "$set" >/dev/null
done
if [ ! -f pheno.txt ]; then
  awk 'BEGIN { srand(7); printf "FID\tIID"; for (j = 1; j <= 20; j++) printf "\tq%d", j; print "\tb1" }
       { printf "%s\t%s", $1, $2
         for (j = 1; j <= 20; j++) { u = rand(); v = rand(); printf "\t%.6f", sqrt(-2 * log(u + 1e-12)) * cos(6.283185307 * v) }
         printf "\t%d\n", (rand() < 0.1) ? 2 : 1 }' full.fam > pheno.txt
  awk 'BEGIN { srand(5); print "FID\tIID\tc1\tc2\tc3\tc4\tc5" }
       { printf "%s\t%s", $1, $2; for (i = 0; i < 5; i++) printf "\t%.6f", rand() * 2 - 1; printf "\n" }' full.fam > covar.txt
fi

quantitative20=$(seq -s, -f 'q%g' 1 20)
printf '%-44s %10s %10s %8s\n' "case ($samples x $variants, kohort at $threads threads)" "plink2 s" "kohort s" "ratio"
for set in full missing; do
  missing_flag=$([ "$set" = missing ] && echo "--missing-genotypes exclude" || true)
  for case in q1 q20 b1; do
    columns=$([ "$case" = q20 ] && echo "$quantitative20" || echo "$case")
    # plink2 at all threads and at 1, the faster counting: with missing calls and for binary
    # traits one thread is often the faster (2026-12-03: 38 s against 123 s, 71 s against 143 s).
    plink=$(median_seconds plink2 --threads "$threads" --bfile "$set" --pheno pheno.txt --pheno-name "$columns" \
      --covar covar.txt --glm hide-covar omit-ref firth-fallback --out "p2_${set}_$case")
    plink_threads=$threads
    if [ "$threads" -gt 1 ]; then
      plink_one=$(median_seconds plink2 --threads 1 --bfile "$set" --pheno pheno.txt --pheno-name "$columns" \
        --covar covar.txt --glm hide-covar omit-ref firth-fallback --out "p2_${set}_${case}_1")
      if awk -v a="$plink_one" -v b="$plink" 'BEGIN { exit !(a < b) }'; then plink=$plink_one plink_threads=1; fi
    fi
    kohort=$(median_seconds "$KOHORT" --threads "$threads" gwas --bfile "$set" --pheno pheno.txt --pheno-col "$columns" \
      --covar covar.txt $missing_flag --out "k_${set}_$case")
    printf '%-44s %10s %10s %7.1fx\n' "$set calls, $case (plink2 at $plink_threads)" "$plink" "$kohort" "$(awk -v p="$plink" -v k="$kohort" 'BEGIN { print p / k }')"
    declare "kohort_${set}_$case=$kohort" "plink_${set}_$case=$plink"
  done
done
# The dominant and recessive codings (plink2 --glm dominant/recessive) on the set without missing
# calls: kohort recodes the .bed rows and keeps the products tables.
for model in dominant recessive; do
  plink=$(median_seconds plink2 --threads "$threads" --bfile full --pheno pheno.txt --pheno-name q1 \
    --covar covar.txt --glm hide-covar omit-ref "$model" --out "p2_full_$model")
  kohort=$(median_seconds "$KOHORT" --threads "$threads" gwas --bfile full --pheno pheno.txt --pheno-col q1 \
    --covar covar.txt --genetic-model "$model" --out "k_full_$model")
  printf '%-44s %10s %10s %7.1fx\n' "full calls, q1 $model (plink2 at $threads)" "$plink" "$kohort" "$(awk -v p="$plink" -v k="$kohort" 'BEGIN { print p / k }')"
done
bgen_variants=${BGEN_VARIANTS:-20000}
if [ ! -f "bgen$bgen_variants.bgen" ]; then
  plink2 --bfile full --thin-count "$bgen_variants" --seed 1 --export bgen-1.2 bits=8 --out "bgen$bgen_variants" >/dev/null
fi
for case in q1 q20; do
  columns=$([ "$case" = q20 ] && echo "$quantitative20" || echo "$case")
  plink=$(median_seconds plink2 --threads "$threads" --bgen "bgen$bgen_variants.bgen" ref-last --sample "bgen$bgen_variants.sample" \
    --pheno pheno.txt --pheno-name "$columns" --covar covar.txt --glm hide-covar omit-ref --out "p2_bgen_$case")
  kohort=$(median_seconds "$KOHORT" --threads "$threads" gwas --bgen "bgen$bgen_variants.bgen" --sample "bgen$bgen_variants.sample" \
    --pheno pheno.txt --pheno-col "$columns" --covar covar.txt --out "k_bgen_$case")
  printf '%-44s %10s %10s %7.1fx
' "BGEN ($bgen_variants variants), $case" "$plink" "$kohort" "$(awk -v p="$plink" -v k="$kohort" 'BEGIN { print p / k }')"
  declare "kohort_bgen_$case=$kohort"
done
for set in full missing bgen; do
  one="kohort_${set}_q1" twenty="kohort_${set}_q20"
  label=$([ "$set" = bgen ] && echo "BGEN input" || echo "$set calls")
  printf 'kohort, %s: 20 quantitative phenotypes take %.2fx the time of one\n' "$label" \
    "$(awk -v a="${!twenty}" -v b="${!one}" 'BEGIN { print a / b }')"
done
# What each phenotype beyond the first costs, per 100,000 variants (the .bed sets).
for set in full missing; do
  k1="kohort_${set}_q1" k20="kohort_${set}_q20" p1="plink_${set}_q1" p20="plink_${set}_q20"
  printf '%s calls: each extra phenotype costs kohort %.3f s and plink2 %.3f s per 100,000 variants\n' "$set" \
    "$(awk -v a="${!k20}" -v b="${!k1}" -v m="$variants" 'BEGIN { print (a - b) / 19 * 100000 / m }')" \
    "$(awk -v a="${!p20}" -v b="${!p1}" -v m="$variants" 'BEGIN { print (a - b) / 19 * 100000 / m }')"
done
