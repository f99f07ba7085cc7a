#!/usr/bin/env bash
# kohort gwas --condition / --condition-list against plink2 --glm's, on the real 1000 Genomes EUR
# subset (Debian's bolt-lmm-example): the ALT dosages of the named variants join the covariates.
# Conditioned on the lead variant (p ~ 1e-38 on chromosome 18), its neighbours' signals fall.
# Tolerances as in gwas_vs_plink2.sh (plink2 prints 6 significant digits, fits logistic models in
# single precision): linear beta, SE relative 1e-5 and -log10 p absolute 1e-5 for every variant;
# logistic (Wald) beta scaled by max(|beta|, SE/100) and SE relative 1e-3.
# Also: a conditioning variant outside --chr still conditions; a missing call of one leaves the
# sample out (as plink2); unknown or repeated ids are input errors that write nothing. The
# conditioning variant coded dominant or recessive (--condition-model, plink2's --condition
# modifiers) under additive and dominant scans.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${KOHORT:?path of the kohort binary}" "${KOHORT_WORK:=/tmp/kohort-test-work}"
"$KOHORT_SOURCE_DIR/scripts/install-deps" test >/dev/null
work="$KOHORT_WORK/gwas_condition_vs_plink2"
rm -rf "$work" && mkdir -p "$work" && cd "$work"
# shellcheck source=lib/eur_gwas.sh
. "$here/lib/eur_gwas.sh"
prepare_eur_subset

# -log10 p of variant ID in a kohort file
neg_log_p() { zcat "$1" | awk -F'\t' -v id="$2" '$11 == id { print $9 }'; }

plink2 --bfile eur --pheno pheno.txt --pheno-name PHENO --covar pheno.txt --covar-name QCOV1,QCOV2 \
  --glm hide-covar omit-ref --out p2plain >/dev/null
lead=$(awk 'NR > 1 && $7 == "ADD" && $12 != "NA"' p2plain.PHENO.glm.linear | sort -t$'\t' -k12,12g | awk -F'\t' 'NR == 1 { print $3 }')
second=$(awk -F'\t' 'NR > 1 && $7 == "ADD" && $12 != "NA" && $1 == 17' p2plain.PHENO.glm.linear | sort -t$'\t' -k12,12g | awk -F'\t' 'NR == 1 { print $3 }')
neighbour=$(awk 'NR > 1 && $7 == "ADD" && $12 != "NA"' p2plain.PHENO.glm.linear | sort -t$'\t' -k12,12g | awk -F'\t' 'NR == 2 { print $3 }')
third=$(awk 'NR == 20000 { print $2 }' eur.bim)
printf '%s\n' "$second" "$third" > list.txt
echo "lead $lead, listed $second and $third; the lead's neighbour $neighbour"

# --- Linear, exact-missing mode: --condition, and --condition with --condition-list.
plink2 --bfile eur --pheno pheno.txt --pheno-name PHENO --covar pheno.txt --covar-name QCOV1,QCOV2 \
  --glm hide-covar omit-ref --condition "$lead" --out p2c >/dev/null
"$KOHORT" -q gwas --bfile eur --pheno pheno.txt --pheno-col PHENO --covar pheno.txt --covar-col QCOV1,QCOV2 \
  --missing-genotypes exclude --condition "$lead" --out kc >/dev/null
"$KOHORT" -q gwas --bfile eur --pheno pheno.txt --pheno-col PHENO --covar pheno.txt --covar-col QCOV1,QCOV2 \
  --missing-genotypes exclude --out kplain >/dev/null
read -r n mb ms ml bad nbad < <(compare_glm p2c.PHENO.glm.linear kc.PHENO.tsv.gz linear ADD)
echo "linear, --condition $lead: $n variants"
check "  max relative beta difference" "$mb" 1e-5; check "  max relative SE difference" "$ms" 1e-5
check "  max -log10 p difference" "$ml" 1e-5; check "  variants NA in one only" "$bad" 0; check "  n differs from OBS_CT" "$nbad" 0
[ "$n" -gt 54000 ] || { echo "FAIL: only $n variants compared"; fail=1; }
before=$(neg_log_p kplain.PHENO.tsv.gz "$neighbour"); after=$(neg_log_p kc.PHENO.tsv.gz "$neighbour")
echo "  the neighbour's -log10 p: $before unconditioned, $after conditioned on the lead"
awk -v b="$before" -v a="$after" 'BEGIN { exit !(b > 10 && a < b - 5) }' || { echo "FAIL: conditioning did not reduce the neighbour's signal"; fail=1; }
lead_row=$(zcat kc.PHENO.tsv.gz | awk -F'\t' -v id="$lead" '$11 == id { print $5 "/" $14 }')
[ "$lead_row" = "NA/CONST_ALLELE" ] || { echo "FAIL: the conditioning variant itself is '$lead_row', expected NA/CONST_ALLELE"; fail=1; }

plink2 --bfile eur --pheno pheno.txt --pheno-name PHENO --covar pheno.txt --covar-name QCOV1,QCOV2 \
  --glm hide-covar omit-ref --condition-list <(printf '%s\n' "$lead" "$second" "$third") --out p2cl >/dev/null
"$KOHORT" -q gwas --bfile eur --pheno pheno.txt --pheno-col PHENO --covar pheno.txt --covar-col QCOV1,QCOV2 \
  --missing-genotypes exclude --condition "$lead" --condition-list list.txt --out kcl >/dev/null
read -r n mb ms ml bad nbad < <(compare_glm p2cl.PHENO.glm.linear kcl.PHENO.tsv.gz linear ADD)
echo "linear, conditioned on three variants: $n variants"
check "  max relative beta difference" "$mb" 1e-5; check "  max relative SE difference" "$ms" 1e-5
check "  max -log10 p difference" "$ml" 1e-5; check "  variants NA in one only" "$bad" 0; check "  n differs from OBS_CT" "$nbad" 0
[ "$n" -gt 54000 ] || { echo "FAIL: only $n variants compared"; fail=1; }

# --- Binary (logistic Wald), conditioned on the lead.
plink2 --bfile eur --pheno pheno.txt --pheno-name CASE --covar pheno.txt --covar-name QCOV1,QCOV2 \
  --glm hide-covar omit-ref firth-fallback cols=+beta,+firth --condition "$lead" --out p2b >/dev/null
"$KOHORT" -q gwas --bfile eur --pheno pheno.txt --pheno-col CASE --covar pheno.txt --covar-col QCOV1,QCOV2 \
  --binary-test wald --missing-genotypes exclude --condition "$lead" --out kb >/dev/null
read -r n mb ms ml bad nbad < <(compare_glm "$(ls p2b.CASE.glm.logistic*)" kb.CASE.tsv.gz logistic ADD)
echo "logistic, --condition $lead: $n variants"
check "  max scaled beta difference" "$mb" 1e-3; check "  max relative SE difference" "$ms" 1e-3
check "  n differs from OBS_CT" "$nbad" 0
[ "$n" -gt 40000 ] || { echo "FAIL: only $n variants compared"; fail=1; }

# --- The conditioning variant coded dominant and recessive (plink2's --condition modifiers), the
# scan itself additive; and coded dominant under a dominant scan.
for model in dominant recessive; do
  plink2 --bfile eur --pheno pheno.txt --pheno-name PHENO --covar pheno.txt --covar-name QCOV1,QCOV2 \
    --glm hide-covar omit-ref --condition "$lead" "$model" --out "p2c_$model" >/dev/null
  "$KOHORT" -q gwas --bfile eur --pheno pheno.txt --pheno-col PHENO --covar pheno.txt --covar-col QCOV1,QCOV2 \
    --missing-genotypes exclude --condition "$lead" --condition-model "$model" --out "kc_$model" >/dev/null
  read -r n mb ms ml bad nbad < <(compare_glm "p2c_$model.PHENO.glm.linear" "kc_$model.PHENO.tsv.gz" linear ADD)
  echo "linear, --condition $lead $model: $n variants"
  check "  max relative beta difference" "$mb" 1e-5; check "  max relative SE difference" "$ms" 1e-5
  check "  max -log10 p difference" "$ml" 1e-5; check "  variants NA in one only" "$bad" 0; check "  n differs from OBS_CT" "$nbad" 0
  [ "$n" -gt 54000 ] || { echo "FAIL: only $n variants compared"; fail=1; }
  # The coding matters: the neighbour's signal differs from the additive conditioning's.
  [ "$(neg_log_p "kc_$model.PHENO.tsv.gz" "$neighbour")" != "$(neg_log_p kc.PHENO.tsv.gz "$neighbour")" ] ||
    { echo "FAIL: --condition-model $model gave the additive conditioning's result"; fail=1; }
done
plink2 --bfile eur --pheno pheno.txt --pheno-name PHENO --covar pheno.txt --covar-name QCOV1,QCOV2 \
  --glm hide-covar omit-ref dominant --condition "$lead" dominant --out p2cd >/dev/null
"$KOHORT" -q gwas --bfile eur --pheno pheno.txt --pheno-col PHENO --covar pheno.txt --covar-col QCOV1,QCOV2 \
  --missing-genotypes exclude --genetic-model dominant --condition "$lead" --condition-model dominant --out kcd >/dev/null
read -r n mb ms ml bad nbad < <(compare_glm p2cd.PHENO.glm.linear kcd.PHENO.tsv.gz linear DOM)
echo "linear dominant scan, --condition $lead dominant: $n variants"
check "  max relative beta difference" "$mb" 1e-5; check "  max relative SE difference" "$ms" 1e-5
check "  max -log10 p difference" "$ml" 1e-5; check "  variants NA in one only" "$bad" 0; check "  n differs from OBS_CT" "$nbad" 0
[ "$n" -gt 54000 ] || { echo "FAIL: only $n variants compared"; fail=1; }

# --- A conditioning variant outside --chr conditions all the same: chromosome 17's rows equal
# those of the whole run.
"$KOHORT" -q gwas --bfile eur --pheno pheno.txt --pheno-col PHENO --covar pheno.txt --covar-col QCOV1,QCOV2 \
  --missing-genotypes exclude --condition "$lead" --chr 17 --out kc17 >/dev/null
if ! cmp -s <(zcat kc17.PHENO.tsv.gz | awk -F'\t' 'NR > 1') <(zcat kc.PHENO.tsv.gz | awk -F'\t' 'NR > 1 && $1 == 17'); then
  echo "FAIL: --chr 17 with a chromosome 18 conditioning variant differs from the whole run's chromosome 17"; fail=1
else
  echo "ok   --chr 17, conditioned on a chromosome 18 variant: chromosome 17's rows as in the whole run"
fi

# --- The same conditioning from a BGEN (the conditioning dosage decoded from it) gives the .bed's results.
plink2 --bfile eur --export bgen-1.2 bits=8 --out eurb >/dev/null
"$KOHORT" -q gwas --bgen eurb.bgen --sample eurb.sample --pheno pheno.txt --pheno-col PHENO --covar pheno.txt --covar-col QCOV1,QCOV2 \
  --missing-genotypes exclude --condition "$lead" --out kbgen >/dev/null
read -r n mb < <(paste <(zcat kc.PHENO.tsv.gz | cut -f3,5) <(zcat kbgen.PHENO.tsv.gz | cut -f3,5) | awk -F'\t' '
  NR > 1 && $2 != "NA" { b = $1 == $3 ? $4 : -$4; x = (b - $2) / $2; if (x < 0) x = -x; if (x > m) m = x; n++ } END { printf "%d %.3g\n", n, m }')
echo "BGEN, --condition $lead: $n variants"
check "  max relative beta difference from the .bed's" "$mb" 1e-8
[ "$n" -gt 54000 ] || { echo "FAIL: only $n BGEN variants compared"; fail=1; }

# --- Missing calls of the conditioning variant (every 9th sample's) leave those samples out.
plink2 --bfile eur --export vcf --out eurv >/dev/null
awk -v id="$lead" 'BEGIN { OFS = "\t" } /^#/ { print; next } $3 == id { for (i = 10; i <= NF; i++) if ((i - 10) % 9 == 0) $i = "./." } { print }' eurv.vcf > eurm.vcf
plink2 --vcf eurm.vcf --make-bed --out eurm >/dev/null
cp eur.fam eurm.fam
plink2 --bfile eurm --pheno pheno.txt --pheno-name PHENO --covar pheno.txt --covar-name QCOV1,QCOV2 \
  --glm hide-covar omit-ref --condition "$lead" --out p2m >/dev/null
"$KOHORT" -q gwas --bfile eurm --pheno pheno.txt --pheno-col PHENO --covar pheno.txt --covar-col QCOV1,QCOV2 \
  --missing-genotypes exclude --condition "$lead" --out km >/dev/null
read -r n mb ms ml bad nbad < <(compare_glm p2m.PHENO.glm.linear km.PHENO.tsv.gz linear ADD)
samples=$(zcat km.PHENO.tsv.gz | awk -F'\t' 'NR == 2 { print $12 }')
echo "linear, conditioning variant with missing calls: $n variants, n = $samples (368 without)"
check "  max relative beta difference" "$mb" 1e-5; check "  max relative SE difference" "$ms" 1e-5
check "  max -log10 p difference" "$ml" 1e-5; check "  n differs from OBS_CT" "$nbad" 0
[ "$samples" -lt 368 ] || { echo "FAIL: samples missing the conditioning call were not left out"; fail=1; }

# --- Input errors: exit status 2, the file named, nothing written.
expect_error() {  # NAME PATTERN ARGS...
  local name=$1 pattern=$2; shift 2
  if "$KOHORT" gwas --bfile eur --pheno pheno.txt --pheno-col PHENO "$@" --out kerr 2> err.log >/dev/null; then
    echo "FAIL $name: accepted"; fail=1
  elif ! grep -q "$pattern" err.log || ls kerr* >/dev/null 2>&1; then
    echo "FAIL $name: unclear message or output written:"; cat err.log; fail=1
  else
    echo "ok   $name: $(grep -o 'error.*' err.log | head -1)"
  fi
}
printf '%s\nrs_not_there\n' "$second" > unknown.txt
expect_error "unknown conditioning variant" "unknown.txt.*rs_not_there" --condition-list unknown.txt
printf '%s\n%s\n' "$second" "$second" > twice.txt
expect_error "a variant listed twice" "twice.txt:2: .*named twice" --condition-list twice.txt
expect_error "an unknown --condition" "'rs_not_there' is not in" --condition rs_not_there
expect_error "--condition-model without a conditioning variant" "condition-model recessive.*none is named" --condition-model recessive
exit $fail
