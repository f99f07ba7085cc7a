#!/usr/bin/env bash
# plink2 reads the simulated .bed/.bim/.fam without complaint, and its allele frequencies agree
# with the simulator's truth within binomial sampling error.
# Tolerance: mean squared z-score of (plink2 ALT_FREQS - truth) in [0.85, 1.2], and at most
# 0.05% of variants beyond 4.5 standard errors.
set -euo pipefail
: "${KOHORT:?path of the kohort binary}" "${KOHORT_WORK:=/tmp/kohort-test-work}"
"$KOHORT_SOURCE_DIR/scripts/install-deps" test >/dev/null
work="$KOHORT_WORK/simulate_plink2"
rm -rf "$work" && mkdir -p "$work"

"$KOHORT" --quiet simulate --persons 10000 --genotyped 4000 --variants 30000 --seed 3 --out "$work/sim" >/dev/null
plink2 --bfile "$work/sim/genotypes" --freq --missing --out "$work/p2" >"$work/plink2.log" 2>&1 || {
  cat "$work/plink2.log"; echo "FAIL: plink2 could not read the simulated genotypes"; exit 1; }
if grep -qi "warning" "$work/plink2.log"; then
  grep -i warning "$work/plink2.log"; echo "FAIL: plink2 warned about the simulated files"; exit 1
fi

# Join on variant ID: plink2 .afreq columns #CHROM ID REF ALT ALT_FREQS OBS_CT; truth column 6 alt_frequency.
awk -F'\t' 'NR==FNR { if (FNR > 1) truth[$1] = $6; next }
  FNR == 1 { next }
  {
    if (!($2 in truth)) { print "FAIL: unknown variant " $2; bad = 1; exit 1 }
    p = truth[$2]; n = $6; q = $5; seen++
    if (p < 0.01 || p > 0.99) next
    z = (q - p) / sqrt(p * (1 - p) / n); chi += z * z; tested++
    if (z > 4.5 || z < -4.5) outliers++
  }
  END {
    if (bad) exit 1
    mean = chi / tested
    printf "plink2 read %d variants; %d with truth frequency in [0.01, 0.99]: mean z^2 = %.3f, |z| > 4.5: %d\n", seen, tested, mean, outliers
    if (seen != 30000) { print "FAIL: expected 30000 variants"; exit 1 }
    if (mean < 0.85 || mean > 1.2) { print "FAIL: mean z^2 outside [0.85, 1.2]"; exit 1 }
    if (outliers > tested * 0.0005) { print "FAIL: too many outliers"; exit 1 }
  }' "$work/sim/truth_variants.tsv" "$work/p2.afreq"

# Sample count and missingness as plink2 sees them.
samples=$(($(wc -l < "$work/p2.smiss") - 1))
[ "$samples" -eq 4000 ] || { echo "FAIL: plink2 saw $samples samples, expected 4000"; exit 1; }
awk 'NR > 1 { s += $NF; n++ } END { m = s / n; printf "mean sample missing rate %.4f\n", m; if (m < 0.007 || m > 0.015) { print "FAIL: expected about 1%"; exit 1 } }' "$work/p2.smiss"
echo "PASS"
