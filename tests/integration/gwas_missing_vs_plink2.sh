#!/usr/bin/env bash
# kohort gwas in exact-missing mode (--missing-genotypes exclude) against plink2 --glm on simulated
# genotypes with about 1% missing calls, where every variant drops a different set of samples.
# Tolerances as in gwas_vs_plink2.sh: linear beta and SE relative 1e-5, -log10 p absolute 1e-5;
# logistic beta scaled by max(|beta|, SE/100) and SE relative 1e-3 (plink2 fits in single precision).
set -euo pipefail
: "${KOHORT:?path of the kohort binary}" "${KOHORT_WORK:=/tmp/kohort-test-work}"
work="$KOHORT_WORK/gwas_missing_vs_plink2"
rm -rf "$work" && mkdir -p "$work" && cd "$work"
"$KOHORT" -q simulate --persons 8000 --genotyped 2500 --variants 6000 --seed 5 --out population >/dev/null
# A quantitative and a binary phenotype (PLINK 1/2 coding) with a covariate, from awk's generator.
awk 'BEGIN { srand(11); print "FID\tIID\tQ\tB\tC1" }
     { c = rand(); q = 0.5 * c + sqrt(-2 * log(rand() + 1e-12)) * cos(6.283185307 * rand())
       printf "%s\t%s\t%.6f\t%d\t%.6f\n", $1, $2, q, (rand() < 0.2 + 0.2 * c) ? 2 : 1, c }' population/genotypes.fam > pheno.txt
plink2 --bfile population/genotypes --pheno pheno.txt --pheno-name Q,B --covar pheno.txt --covar-name C1 \
  --glm hide-covar omit-ref firth-fallback cols=+beta,+firth --out p2 >/dev/null
"$KOHORT" -q gwas --bfile population/genotypes --pheno pheno.txt --pheno-col Q --covar pheno.txt --covar-col C1 \
  --missing-genotypes exclude --out k >/dev/null
"$KOHORT" -q gwas --bfile population/genotypes --pheno pheno.txt --pheno-col B --covar pheno.txt --covar-col C1 \
  --missing-genotypes exclude --binary-test wald --out k >/dev/null
compare() {  # plink2 file, kohort file, beta scaling (relative|scaled), FIRTH? filter (""|N)
  zcat "$2" | awk -F'\t' -v scaling="$3" -v want="$4" '
    FNR == 1 && FILENAME != "-" { for (i = 1; i <= NF; i++) col[$i] = i; next }
    FILENAME != "-" { if (want != "" && $col["FIRTH?"] != want) next
                      k = $1 ":" $2 ":" $4 ":" $5; b[k] = $col["BETA"]; s[k] = $col["SE"]; p[k] = $col["P"]; n[k] = $col["OBS_CT"]; next }
    FNR == 1 { next }
    { id = $1 ":" $2 ":" $4 ":" $3; if (!(id in b)) next
      if (b[id] == "NA" || $5 == "NA") { if ((b[id] == "NA") != ($5 == "NA")) bad++; next }
      scale = b[id] < 0 ? -b[id] : b[id]; if (scaling == "scaled" && scale < s[id] / 100) scale = s[id] / 100
      x = ($5 - b[id]) / scale; if (x < 0) x = -x; if (x > mb) mb = x
      x = ($6 - s[id]) / s[id]; if (x < 0) x = -x; if (x > ms) ms = x
      x = $9 + log(p[id]) / log(10); if (x < 0) x = -x; if (x > ml) ml = x
      if ($12 != n[id]) nd++; c++ }
    END { printf "%d %.3g %.3g %.3g %d %d\n", c, mb, ms, ml, bad, nd }' "$1" -
}
fail=0
check() { if awk -v v="$2" -v l="$3" 'BEGIN { exit !(v <= l) }'; then echo "ok   $1: $2 <= $3"; else echo "FAIL $1: $2 > $3"; fail=1; fi; }
read -r n mb ms ml bad nd < <(compare p2.Q.glm.linear k.Q.tsv.gz relative "")
echo "linear, exact-missing mode vs plink2: $n variants"
check "max relative beta difference" "$mb" 1e-5; check "max relative SE difference" "$ms" 1e-5
check "max -log10 p difference" "$ml" 1e-5; check "NA in one only" "$bad" 0; check "sample counts differing" "$nd" 0
[ "$n" -gt 5000 ] || { echo "FAIL: too few variants compared"; fail=1; }
read -r n mb ms ml bad nd < <(compare p2.B.glm.logistic.hybrid k.B.tsv.gz scaled N)
echo "logistic, exact-missing mode vs plink2: $n variants"
check "max scaled beta difference" "$mb" 1e-3; check "max relative SE difference" "$ms" 1e-3; check "sample counts differing" "$nd" 0
[ "$n" -gt 4000 ] || { echo "FAIL: too few variants compared"; fail=1; }
[ "$fail" -eq 0 ] && echo PASS || exit 1
