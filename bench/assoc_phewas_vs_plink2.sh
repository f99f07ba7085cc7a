#!/usr/bin/env bash
# A PheWAS of registry endpoints: kohort gwas and plink2 --glm side by side on binary phenotypes,
# each with its own missing samples (an endpoint's exclusions) and a prevalence of 2-6%, 4
# covariates, on SAMPLES x VARIANTS plink2 --dummy genotypes with 1% missing calls (defaults
# 5,000 x 5,000). Both run the same ENDPOINTS endpoints (default 10; plink2 with firth-fallback,
# kohort with its default score test, SPA and Firth below p 0.05, as bench/assoc_gwas_vs_plink2.sh
# compares them); then kohort alone runs MANY endpoints (default 200), to show what one more
# endpoint costs. Prints wall-clock medians over REPEAT runs, the ratio, and the cost per endpoint.
# Environment: KOHORT (binary), KOHORT_BENCH_WORK (scratch), SAMPLES, VARIANTS, ENDPOINTS, MANY,
# REPEAT (default 1), THREADS (default: all cores, for both tools).
set -euo pipefail
. "$(cd "$(dirname "$0")" && pwd)/lib/median_seconds.sh"  # median_seconds COMMAND...
: "${KOHORT:?path of the kohort binary}" "${KOHORT_BENCH_WORK:=/tmp/kohort-bench}"
KOHORT=$(realpath "$KOHORT")
samples=${SAMPLES:-5000} variants=${VARIANTS:-5000} endpoints=${ENDPOINTS:-10} many=${MANY:-200}
repeat=${REPEAT:-1} threads=${THREADS:-$(nproc)}
work="$KOHORT_BENCH_WORK/phewas_vs_plink2_${samples}x${variants}"
mkdir -p "$work" && cd "$work"

[ -f geno.bed ] || plink2 --dummy "$samples" "$variants" 0.01 acgt --make-bed --out geno >/dev/null
if [ ! -f endpoints.txt ] || [ "$(head -1 endpoints.txt | wc -w)" -ne $((many + 2)) ]; then
  awk -v m="$many" 'BEGIN { srand(11); printf "FID\tIID"; for (j = 1; j <= m; j++) printf "\te%d", j; print "" }
    { printf "%s\t%s", $1, $2
      for (j = 1; j <= m; j++) printf "\t%s", rand() < 0.1 ? "NA" : (rand() < 0.02 + 0.04 * (j % 10) / 10 ? 1 : 0)
      print "" }' geno.fam > endpoints.txt
  awk 'BEGIN { srand(12); print "FID\tIID\tage\tsex\tpc1\tpc2" }
    { printf "%s\t%s\t%.1f\t%d\t%.5f\t%.5f\n", $1, $2, 40 + 30 * rand(), rand() < 0.5, rand() - 0.5, rand() - 0.5 }' geno.fam > covar.txt
fi

# plink2 reads 0/1 as missing/control unless told --1; at all threads and at 1, the faster counts.
plink_run() { plink2 --threads "$1" --1 --bfile geno --pheno endpoints.txt --pheno-name "e1-e$endpoints" --covar covar.txt \
  --glm hide-covar firth-fallback --out "p2_$1"; }
plink=$(median_seconds plink_run "$threads") plink_threads=$threads
if [ "$threads" -gt 1 ]; then
  plink_one=$(median_seconds plink_run 1)
  if awk -v a="$plink_one" -v b="$plink" 'BEGIN { exit !(a < b) }'; then plink=$plink_one plink_threads=1; fi
fi
kohort=$(median_seconds "$KOHORT" --threads "$threads" gwas --bfile geno --pheno endpoints.txt --pheno-col "e1-e$endpoints" \
  --covar covar.txt --out "k_$endpoints")
kohort_many=$(median_seconds "$KOHORT" --threads "$threads" gwas --bfile geno --pheno endpoints.txt --pheno-col "e1-e$many" \
  --covar covar.txt --out "k_$many")
printf '%-52s %10s %10s %8s\n' "PheWAS ($samples x $variants, 1% missing calls)" "plink2 s" "kohort s" "ratio"
printf '%-52s %10s %10s %7.1fx\n' "$endpoints binary endpoints (plink2 at $plink_threads, kohort at $threads)" "$plink" "$kohort" \
  "$(awk -v p="$plink" -v k="$kohort" 'BEGIN { print p / k }')"
printf '%-52s %10s %10s\n' "$many binary endpoints (kohort alone)" "" "$kohort_many"
printf 'each endpoint costs plink2 %.3f s and kohort %.3f s per 1,000 variants (kohort over %d endpoints)\n' \
  "$(awk -v t="$plink" -v e="$endpoints" -v m="$variants" 'BEGIN { print t / e * 1000 / m }')" \
  "$(awk -v t="$kohort_many" -v e="$many" -v m="$variants" 'BEGIN { print t / e * 1000 / m }')" "$many"
