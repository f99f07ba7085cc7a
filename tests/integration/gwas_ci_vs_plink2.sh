#!/usr/bin/env bash
# kohort gwas --ci against plink2 --ci on the real 1000 Genomes EUR subset (Debian's
# bolt-lmm-example): ci_lower and ci_upper are beta -/+ z SE with z the normal quantile, as
# plink2's L95/U95 columns (on the log-odds scale for logistic: plink2 prints the odds ratio's
# bounds unless asked for beta). plink2 prints 6 significant digits and fits logistic models in
# single precision, so a bound is compared relative to itself, or to the SE where the bound is
# smaller (a bound near 0 has few digits of its own): linear within 1e-5, logistic (Wald) within
# 1e-3, every variant that both estimate. Also: the 99% interval is the 95%
# interval widened by the ratio of the quantiles, and a level outside (0, 1) is an input error.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${KOHORT:?path of the kohort binary}" "${KOHORT_WORK:=/tmp/kohort-test-work}"
"$KOHORT_SOURCE_DIR/scripts/install-deps" test >/dev/null
work="$KOHORT_WORK/gwas_ci_vs_plink2"
rm -rf "$work" && mkdir -p "$work" && cd "$work"
# shellcheck source=lib/eur_gwas.sh
. "$here/lib/eur_gwas.sh"
prepare_eur_subset

plink2 --bfile eur --pheno pheno.txt --pheno-name PHENO,CASE --covar pheno.txt --covar-name QCOV1,QCOV2 \
  --glm hide-covar omit-ref cols=+beta,+ci --ci 0.95 --out p2 >/dev/null 2>&1
"$KOHORT" -q gwas --bfile eur --pheno pheno.txt --pheno-col PHENO,CASE --covar pheno.txt --covar-col QCOV1,QCOV2 \
  --missing-genotypes exclude --binary-test wald --ci 0.95 --out k95 >/dev/null
"$KOHORT" -q gwas --bfile eur --pheno pheno.txt --pheno-col PHENO --covar pheno.txt --covar-col QCOV1,QCOV2 \
  --missing-genotypes exclude --ci 0.99 --out k99 >/dev/null

# plink2's L95/U95 against kohort's ci_lower/ci_upper, matched on chromosome:position:REF:ALT,
# rows plink2 fits with Firth or flags left out. -> "count max-difference", each difference
# relative to max(|plink2's bound|, SE)
compare_ci() {  # plink2 file, kohort file
  zcat "$2" | awk -F'\t' '
    FNR == 1 && FILENAME != "-" { for (i = 1; i <= NF; i++) col[$i] = i; next }
    FILENAME != "-" { if ($col["TEST"] != "ADD" || $col["L95"] == "NA") next
                      if (("FIRTH?" in col) && $col["FIRTH?"] == "Y") next
                      if ($col["ERRCODE"] != ".") next
                      k = $1 ":" $2 ":" $4 ":" $5; lo[k] = $col["L95"]; hi[k] = $col["U95"]; next }
    FNR == 1 { for (i = 1; i <= NF; i++) kc[$i] = i; next }
    { id = $1 ":" $2 ":" $4 ":" $3; if (!(id in lo) || $kc["ci_lower"] == "NA") next
      se = $kc["standard_error"]
      s = lo[id] < 0 ? -lo[id] : lo[id]; if (s < se) s = se
      x = ($kc["ci_lower"] - lo[id]) / s; if (x < 0) x = -x; if (x > m) m = x
      s = hi[id] < 0 ? -hi[id] : hi[id]; if (s < se) s = se
      x = ($kc["ci_upper"] - hi[id]) / s; if (x < 0) x = -x; if (x > m) m = x
      n++ }
    END { printf "%d %.3g\n", n, m }' "$1" -
}
read -r n m < <(compare_ci p2.PHENO.glm.linear k95.PHENO.tsv.gz)
echo "linear, 95%: $n variants"
check "  max relative bound difference" "$m" 1e-5
[ "$n" -gt 50000 ] || { echo "FAIL: only $n variants compared"; fail=1; }
read -r n m < <(compare_ci "$(ls p2.CASE.glm.logistic*)" k95.CASE.tsv.gz)
echo "logistic (Wald), 95%: $n variants"
check "  max relative bound difference" "$m" 1e-3
[ "$n" -gt 40000 ] || { echo "FAIL: only $n variants compared"; fail=1; }

# 99%: the same betas and SEs, bounds beta -/+ 2.5758293 SE (checked in SEs against the 95% file's
# half-width times 2.5758293 / 1.9599640).
read -r n m < <(paste <(zcat k95.PHENO.tsv.gz | cut -f5,6,15,16) <(zcat k99.PHENO.tsv.gz | cut -f5,6,15,16) | awk -F'\t' '
  NR > 1 && $1 != "NA" { if ($1 != $5 || $2 != $6) bad++
                         w = ($4 - $3) / 2 * 2.5758293035489 / 1.9599639845401
                         x = ($8 - $7) / 2 - w; if (x < 0) x = -x; x /= $2; if (x > m) m = x; n++ }
  END { printf "%d %.3g\n", n, m + bad }')
echo "99% against 95%: $n variants"
check "  max half-width difference (SEs)" "$m" 1e-8
[ "$n" -gt 50000 ] || { echo "FAIL: only $n variants compared"; fail=1; }

# Without --ci the file has no interval columns; a level outside (0, 1) is an input error and
# writes nothing.
"$KOHORT" -q gwas --bfile eur --pheno pheno.txt --pheno-col PHENO --chr 22 --out knone >/dev/null
if zcat knone.PHENO.tsv.gz | head -1 | grep -q ci_lower; then echo "FAIL: ci columns without --ci"; fail=1; fi
for level in 1 -0.5 95; do
  if "$KOHORT" gwas --bfile eur --pheno pheno.txt --pheno-col PHENO --ci "$level" --out kbad 2> err.log >/dev/null; then
    echo "FAIL: --ci $level accepted"; fail=1
  elif ! grep -q "expected a confidence level between 0 and 1" err.log || ls kbad* >/dev/null 2>&1; then
    echo "FAIL: --ci $level: unclear message or output written:"; cat err.log; fail=1
  else
    echo "ok   --ci $level: $(grep -o 'error.*' err.log)"
  fi
done
exit $fail
