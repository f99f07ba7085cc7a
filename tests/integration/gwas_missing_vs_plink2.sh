#!/usr/bin/env bash
# kohort gwas in exact-missing mode (--missing-genotypes exclude) against plink2 --glm on simulated
# genotypes with about 1% missing calls, where every variant drops a different set of samples.
# QF and BF are measured in one sex only (the other is NA), so the covariate SEX is constant among
# their samples: both tools leave it out for them (plink2: "Not including covariate 'SEX'").
# Tolerances as in gwas_vs_plink2.sh: linear beta and SE relative 1e-5, -log10 p absolute 1e-5;
# logistic beta scaled by max(|beta|, SE/100) and SE relative 1e-3 (plink2 fits in single precision).
set -euo pipefail
: "${KOHORT:?path of the kohort binary}" "${KOHORT_WORK:=/tmp/kohort-test-work}"
work="$KOHORT_WORK/gwas_missing_vs_plink2"
rm -rf "$work" && mkdir -p "$work" && cd "$work"
"$KOHORT" -q simulate --persons 8000 --genotyped 2500 --variants 6000 --seed 5 --out population >/dev/null
# A quantitative and a binary phenotype (PLINK 1/2 coding) with a covariate, from awk's generator.
awk 'BEGIN { srand(11); print "FID\tIID\tQ\tB\tC1\tSEX\tQF\tBF" }
     { c = rand(); q = 0.5 * c + sqrt(-2 * log(rand() + 1e-12)) * cos(6.283185307 * rand()); sex = rand() < 0.5
       b = (rand() < 0.2 + 0.2 * c) ? 2 : 1
       printf "%s\t%s\t%.6f\t%d\t%.6f\t%d\t%s\t%s\n", $1, $2, q, b, c, sex, sex ? sprintf("%.6f", q) : "NA", sex ? b : "NA" }' \
  population/genotypes.fam > pheno.txt
plink2 --bfile population/genotypes --pheno pheno.txt --pheno-name Q,B,QF,BF --covar pheno.txt --covar-name C1,SEX \
  --glm hide-covar omit-ref firth-fallback cols=+beta,+firth --out p2 > p2.out 2>&1
grep -q "Not including covariate 'SEX' in --glm regression on phenotype 'QF'" p2.out || { echo "FAIL: plink2 kept SEX for QF"; exit 1; }
"$KOHORT" -q gwas --bfile population/genotypes --pheno pheno.txt --pheno-col Q,QF --covar pheno.txt --covar-col C1,SEX \
  --missing-genotypes exclude --out k 2>k.log >/dev/null
"$KOHORT" -q gwas --bfile population/genotypes --pheno pheno.txt --pheno-col B,BF --covar pheno.txt --covar-col C1,SEX \
  --missing-genotypes exclude --binary-test wald --out k 2>>k.log >/dev/null
for p in QF BF; do
  grep -q "covariate 'SEX' is constant.* phenotype '$p'" k.log || { echo "FAIL: no warning that SEX is left out for $p"; cat k.log; exit 1; }
done
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
read -r n mb ms ml bad nd < <(compare p2.QF.glm.linear k.QF.tsv.gz relative "")
echo "linear, one sex, SEX left out, vs plink2: $n variants"
check "max relative beta difference" "$mb" 1e-5; check "max relative SE difference" "$ms" 1e-5
check "max -log10 p difference" "$ml" 1e-5; check "NA in one only" "$bad" 0; check "sample counts differing" "$nd" 0
[ "$n" -gt 5000 ] || { echo "FAIL: too few variants compared"; fail=1; }
# plink2's single-precision SE strays further on BF's smaller sample: at 3:92456607 it is 0.7% off
# (0.108051), while kohort's 0.1088155594 equals R's glm to all 10 printed digits; betas agree.
for p in B:1e-3 BF:1e-2; do
  se_limit=${p#*:} p=${p%:*}
  read -r n mb ms ml bad nd < <(compare "p2.$p.glm.logistic.hybrid" "k.$p.tsv.gz" scaled N)
  echo "logistic $p, exact-missing mode vs plink2: $n variants"
  check "max scaled beta difference" "$mb" 1e-3; check "max relative SE difference" "$ms" "$se_limit"; check "sample counts differing" "$nd" 0
  [ "$n" -gt 4000 ] || { echo "FAIL: too few variants compared"; fail=1; }
done
[ "$fail" -eq 0 ] && echo PASS || exit 1
