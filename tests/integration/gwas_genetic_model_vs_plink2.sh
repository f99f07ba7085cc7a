#!/usr/bin/env bash
# kohort gwas --genetic-model dominant|recessive against plink2 --glm dominant|recessive on the
# real 1000 Genomes EUR subset (Debian's bolt-lmm-example): the ALT dosage d coded min(d, 1) or
# max(d - 1, 0). Tolerances as in gwas_vs_plink2.sh (plink2 prints 6 significant digits, fits
# logistic models in single precision): linear beta, SE relative 1e-5 and -log10 p absolute 1e-5,
# every variant; logistic (Wald) beta scaled by max(|beta|, SE/100) and SE relative 1e-3. Fractional
# dosages (a VCF's DS) against R's lm of the recoded dosage: beta, SE relative 1e-8. The frequency column
# stays the ALT allele's; a BGEN of the same calls gives the .bed's results (the .bed's rows are
# recoded and meet the products tables, the BGEN's dosages are decoded), with missing calls dropped
# or mean-imputed, for the linear model and the binary score test.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${KOHORT:?path of the kohort binary}" "${KOHORT_WORK:=/tmp/kohort-test-work}"
"$KOHORT_SOURCE_DIR/scripts/install-deps" test >/dev/null
work="$KOHORT_WORK/gwas_genetic_model_vs_plink2"
rm -rf "$work" && mkdir -p "$work" && cd "$work"
# shellcheck source=lib/eur_gwas.sh
. "$here/lib/eur_gwas.sh"
prepare_eur_subset

"$KOHORT" -q gwas --bfile eur --pheno pheno.txt --pheno-col PHENO --covar pheno.txt --covar-col QCOV1,QCOV2 \
  --missing-genotypes exclude --out kadd >/dev/null
for model in dominant recessive; do
  test=$([ "$model" = dominant ] && echo DOM || echo REC)
  plink2 --bfile eur --pheno pheno.txt --pheno-name PHENO --covar pheno.txt --covar-name QCOV1,QCOV2 \
    --glm hide-covar omit-ref "$model" --out "p2$model" >/dev/null
  "$KOHORT" -q gwas --bfile eur --pheno pheno.txt --pheno-col PHENO --covar pheno.txt --covar-col QCOV1,QCOV2 \
    --missing-genotypes exclude --genetic-model "$model" --out "k$model" >/dev/null
  read -r n mb ms ml bad nbad < <(compare_glm "p2$model.PHENO.glm.linear" "k$model.PHENO.tsv.gz" linear "$test")
  echo "linear, $model: $n variants"
  check "  max relative beta difference" "$mb" 1e-5; check "  max relative SE difference" "$ms" 1e-5
  check "  max -log10 p difference" "$ml" 1e-5; check "  variants NA in one only" "$bad" 0; check "  n differs from OBS_CT" "$nbad" 0
  [ "$n" -gt 20000 ] || { echo "FAIL: only $n variants compared"; fail=1; }
  # The frequency column is the ALT allele's, as in the additive run.
  if ! cmp -s <(zcat kadd.PHENO.tsv.gz | cut -f1-4,7) <(zcat "k$model.PHENO.tsv.gz" | cut -f1-4,7); then
    echo "FAIL: $model changes the effect allele frequency column"; fail=1
  fi
done
na_rec=$(zcat krecessive.PHENO.tsv.gz | awk -F'\t' 'NR > 1 && $5 == "NA"' | wc -l)
echo "recessive: $na_rec variants without an ALT homozygote (NA, CONST_ALLELE; plink2 RANK_DEFICIENT)"

# --- Logistic (Wald), dominant.
plink2 --bfile eur --pheno pheno.txt --pheno-name CASE --covar pheno.txt --covar-name QCOV1,QCOV2 \
  --glm hide-covar omit-ref firth-fallback dominant cols=+beta,+firth --out p2bdom >/dev/null
"$KOHORT" -q gwas --bfile eur --pheno pheno.txt --pheno-col CASE --covar pheno.txt --covar-col QCOV1,QCOV2 \
  --binary-test wald --missing-genotypes exclude --genetic-model dominant --out kbdom >/dev/null
read -r n mb ms ml bad nbad < <(compare_glm "$(ls p2bdom.CASE.glm.logistic*)" kbdom.CASE.tsv.gz logistic DOM)
echo "logistic, dominant: $n variants"
check "  max scaled beta difference" "$mb" 1e-3; check "  max relative SE difference" "$ms" 1e-3
check "  n differs from OBS_CT" "$nbad" 0
[ "$n" -gt 20000 ] || { echo "FAIL: only $n variants compared"; fail=1; }

# --- The same calls as a BGEN (decoded dosages): the .bed's results. BGEN's first allele is REF,
# the effect allele here too, so only recoding the same allele compares: the rows whose effect
# allele is the .bed's.
plink2 --bfile eur --export bgen-1.2 bits=8 ref-first --out eurb >/dev/null
"$KOHORT" -q gwas --bgen eurb.bgen --sample eurb.sample --pheno pheno.txt --pheno-col PHENO --covar pheno.txt --covar-col QCOV1,QCOV2 \
  --missing-genotypes exclude --genetic-model recessive --out kbgen >/dev/null
read -r n mb < <(paste <(zcat krecessive.PHENO.tsv.gz | cut -f2,3,5) <(zcat kbgen.PHENO.tsv.gz | cut -f2,3,5) | awk -F'\t' '
  NR > 1 && $2 == $5 && $3 != "NA" { x = ($6 - $3) / $3; if (x < 0) x = -x; if (x > m) m = x; n++ } END { printf "%d %.3g\n", n, m }')
echo "BGEN, recessive: $n variants with the .bed's effect allele"
check "  max relative beta difference" "$mb" 1e-8
[ "$n" -gt 1000 ] || { echo "FAIL: only $n BGEN variants compared"; fail=1; }

# Both codings of .bed rows meet the products tables as recoded rows; the BGEN's are decoded
# dosages: with missing calls mean-imputed (the default) and the binary score test too, the same
# results and the same ALT allele frequency.
for model in dominant recessive; do
  for input in bed bgen; do
    source_flags=$([ "$input" = bed ] && echo "--bfile eur" || echo "--bgen eurb.bgen --sample eurb.sample")
    # shellcheck disable=SC2086
    "$KOHORT" -q gwas $source_flags --pheno pheno.txt --pheno-col PHENO,CASE --covar pheno.txt --covar-col QCOV1,QCOV2 \
      --genetic-model "$model" --out "kmean_${input}_$model" >/dev/null
  done
  for phenotype in PHENO CASE; do
    read -r n mb nf < <(paste <(zcat "kmean_bed_$model.$phenotype.tsv.gz" | cut -f2,3,5,7) <(zcat "kmean_bgen_$model.$phenotype.tsv.gz" | cut -f2,3,5,7) | awk -F'\t' '
      NR > 1 && $2 == $6 && $3 != "NA" { x = ($7 - $3) / $3; if (x < 0) x = -x; if (x > m) m = x; if ($4 != $8) f++; n++ }
      END { printf "%d %.3g %d\n", n, m, f }')
    echo ".bed rows against BGEN dosages, $model, $phenotype, missing calls mean-imputed: $n variants"
    check "  max relative beta difference" "$mb" 1e-8; check "  effect allele frequencies that differ" "$nf" 0
    [ "$n" -gt 1000 ] || { echo "FAIL: only $n variants compared"; fail=1; }
  done
done

# --- Fractional dosages: 200 variants of chromosome 17 as a VCF with DS = the call plus noise,
# against R's lm of the recoded dosage. The dosages are multiples of 1/1024, printed in full, which
# VCF's single precision holds exactly (R reads the text as doubles; rounded text moved a
# recessive beta by 3e-8).
plink2 --bfile eur --chr 17 --thin-count 200 --seed 3 --export vcf id-paste=iid --out ds17 >/dev/null
awk 'BEGIN { OFS = "\t"; srand(5) }
     /^##/ { print; next }
     /^#CHROM/ { print "##FORMAT=<ID=DS,Number=A,Type=Float,Description=\"ALT dosage\">"; print; next }
     { for (i = 10; i <= NF; i++) { c = $i == "0/0" ? 0 : ($i == "0/1" || $i == "1/0") ? 1 : $i == "1/1" ? 2 : -1
                                    if (c < 0) { $i = $i ":."; continue }
                                    d = c + (rand() - 0.5) * 0.6; if (d < 0) d = 0; if (d > 2) d = 2
                                    $i = $i ":" sprintf("%.12g", int(d * 1024 + 0.5) / 1024) }
       $9 = "GT:DS"; print }' ds17.vcf > dosages.vcf
awk 'NR == 1 { print "IID\tPHENO\tQCOV2"; next } { print $2 "\t" $3 "\t" $6 }' pheno.txt > pheno_iid.tsv
for model in dominant recessive; do
  "$KOHORT" -q gwas --vcf dosages.vcf --pheno pheno_iid.tsv --pheno-col PHENO --covar pheno_iid.tsv --covar-col QCOV2 \
    --missing-genotypes exclude --genetic-model "$model" --out "kvcf$model" >/dev/null
  Rscript "$here/r/recoded_dosage_lm.R" dosages.vcf pheno_iid.tsv "$model" "r$model.tsv"
  read -r n mb ms < <(zcat "kvcf$model.PHENO.tsv.gz" | awk -F'\t' 'FNR == NR { if (FNR > 1) { b[$1] = $2; s[$1] = $3 }; next }
    FNR > 1 && ($11 in b) && $5 != "NA" { n++; x = ($5 - b[$11]) / b[$11]; if (x < 0) x = -x; if (x > mb) mb = x
                                          x = ($6 - s[$11]) / s[$11]; if (x < 0) x = -x; if (x > ms) ms = x }
    END { printf "%d %.3g %.3g\n", n, mb, ms }' "r$model.tsv" -)
  echo "fractional dosages, $model, vs R lm: $n variants"
  check "  max relative beta difference" "$mb" 1e-8; check "  max relative SE difference" "$ms" 1e-8
  [ "$n" -ge 150 ] || { echo "FAIL: only $n variants compared with R"; fail=1; }
done

# --- Not with males coded 0/1 on chrX: an input error, nothing written.
if "$KOHORT" gwas --bfile eur --pheno pheno.txt --pheno-col PHENO --genetic-model recessive --xchr-model 1 --out kerr 2> err.log >/dev/null; then
  echo "FAIL: --genetic-model recessive --xchr-model 1 accepted"; fail=1
elif ! grep -q "does not combine with --xchr-model 1" err.log || ls kerr* >/dev/null 2>&1; then
  echo "FAIL: unclear message or output written:"; cat err.log; fail=1
else
  echo "ok   $(grep -o 'error.*' err.log)"
fi
exit $fail
