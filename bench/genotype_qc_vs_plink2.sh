#!/usr/bin/env bash
# kohort qc vs plink2 --freq --missing --hardy on 20,000 samples x 100,000 variants with 1% missing
# calls (plink2 --dummy), same thread count, 5 alternating runs each after a warm-up; prints the
# medians and the ratio (plink2 / kohort: above 1 means kohort is faster).
set -euo pipefail
: "${KOHORT:?}" "${KOHORT_BENCH_WORK:?}"
work="$KOHORT_BENCH_WORK/genotype_qc"
mkdir -p "$work" && cd "$work"
threads=${THREADS:-$(nproc)}
runs=${RUNS:-5}
if [ ! -f big.bed ]; then
  plink2 --silent --threads "$threads" --dummy 20000 100000 0.01 acgt --make-bed --out big >/dev/null
fi
seconds() { local start end; start=$(date +%s.%N); "$@" >/dev/null 2>&1; end=$(date +%s.%N); awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }'; }
run_kohort() { "$KOHORT" --quiet --threads "$threads" qc --bfile big --out kohort; }
run_plink2() { plink2 --silent --threads "$threads" --bfile big --freq --missing --hardy --out plink2; }
run_kohort; run_plink2  # warm the page cache
k=(); p=()
for _ in $(seq "$runs"); do
  k+=("$(seconds run_kohort)")
  p+=("$(seconds run_plink2)")
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
km=$(median "${k[@]}"); pm=$(median "${p[@]}")
echo "20000 samples x 100000 variants, 1% missing, $threads threads, $runs runs"
echo "kohort qc:                          median ${km} s  (runs: ${k[*]})"
echo "plink2 --freq --missing --hardy:    median ${pm} s  (runs: ${p[*]})"
echo "ratio plink2/kohort: $(awk -v p="$pm" -v k="$km" 'BEGIN { printf "%.2f", p / k }')"
