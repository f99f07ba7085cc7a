#!/usr/bin/env bash
# kohort gwas --af-cc (the ALT allele's frequency among cases and among controls with a call)
# against plink2 --glm cols=+a1freqcc (A1_CASE_FREQ, A1_CTRL_FREQ), on the real 1000 Genomes EUR
# subset (Debian's bolt-lmm-example) with chromosomes 19-22 renamed XY, MT, X and Y, the .fam's
# sexes and every 10th sample's sex unknown (as gwas_sex_chromosomes_vs_plink2.sh): chrX under
# --xchr-model 2 (males' X counted twice, as stored) and 1 (once), chrY in males only.
# plink2 prints 6 significant digits: frequencies agree within relative 1e-5 (of the frequency,
# or of 0.01 below it), every variant, NA in both or neither.
# Also: BGEN and VCF input (dosages) give the .bed's frequencies; a second binary phenotype with
# its own missing values counts its own samples in a run with others; a quantitative phenotype's
# file gets no such columns, and without --af-cc nothing changes.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${KOHORT:?path of the kohort binary}" "${KOHORT_WORK:=/tmp/kohort-test-work}"
"$KOHORT_SOURCE_DIR/scripts/install-deps" test >/dev/null
work="$KOHORT_WORK/gwas_case_control_frequency_vs_plink2"
rm -rf "$work" && mkdir -p "$work" && cd "$work"
# shellcheck source=lib/eur_gwas.sh
. "$here/lib/eur_gwas.sh"
prepare_eur_subset

# CASE (PHENO above 1.2, 35 cases) comes with the subset; CASE2: PHENO above 0.5, every 7th sample
# missing.
awk 'NR == 1 { print $0, "CASE2"; next }
     { print $0, ($3 == "NA" || $3 == -9 || NR % 7 == 0) ? "NA" : ($3 > 0.5 ? 2 : 1) }' pheno.txt > pheno2.txt
mv pheno2.txt pheno.txt
cp eur.bed raw.bed
awk 'BEGIN { OFS = "\t"; name[19] = "XY"; name[20] = "MT"; name[21] = "X"; name[22] = "Y" }
     $1 in name { $1 = name[$1] } { print }' eur.bim > raw.bim
awk 'NR % 10 == 0 { $5 = 0 } { print }' eur.fam > raw.fam
# Heterozygous haploid calls set missing, as real data has none (see gwas_sex_chromosomes_vs_plink2.sh).
plink2 --bfile raw --set-hh-missing --make-bed --out sx >/dev/null

expect_rows() {  # NAME MIN COUNT
  [ "$3" -ge "$2" ] || { echo "FAIL $1: only $3 variants compared"; fail=1; }
}
# plink2's ADD rows against kohort's, matched on GWAS-SSF chromosome:position:REF:ALT, for
# GWAS-SSF chromosome $3 (or "all") -> "variants max-relative-difference NA-in-one-only missing-rows"
compare() {  # plink2 file, kohort file, chromosome
  zcat "$2" | awk -F'\t' -v want="$3" '
    BEGIN { code["X"] = 23; code["XY"] = 23; code["Y"] = 24; code["MT"] = 25 }
    FNR == 1 && FILENAME != "-" { for (i = 1; i <= NF; i++) col[$i] = i; next }
    FILENAME != "-" { if ($col["TEST"] != "ADD") next; c = ($1 in code) ? code[$1] : $1
                      if (want != "all" && c != want) next
                      k = c ":" $2 ":" $4 ":" $5; fc[k] = $col["A1_CASE_FREQ"]; fo[k] = $col["A1_CTRL_FREQ"]; next }
    FNR == 1 { for (i = 1; i <= NF; i++) kcol[$i] = i; next }
    { id = $1 ":" $2 ":" $4 ":" $3; if (!(id in fc)) next
      seen++
      for (j = 0; j < 2; j++) {
        a = j ? $kcol["effect_allele_frequency_controls"] : $kcol["effect_allele_frequency_cases"]; b = j ? fo[id] : fc[id]
        if (a == "NA" || b == "NA") { if (a != b) na++; continue }
        d = a - b; if (d < 0) d = -d; s = b > 0.01 ? b : 0.01; if (d / s > m) m = d / s }
      n++ }
    END { printf "%d %.3g %d %d\n", n, m, na + 0, length(fc) - seen }' "$1" -
}

# --- The default binary test (score; its frequencies count the samples with a call), both chrX models.
for model in 2 1; do
  plink2 --bfile sx --pheno pheno.txt --pheno-name CASE --covar pheno.txt --covar-name QCOV2 \
    --glm omit-ref firth-fallback cols=+a1freqcc --xchr-model "$model" --out "p$model" >/dev/null
  "$KOHORT" -q gwas --bfile sx --pheno pheno.txt --pheno-col CASE --covar pheno.txt --covar-col QCOV2 \
    --af-cc --xchr-model "$model" --out "k$model" >/dev/null 2>&1
  for chromosome in all 23 24 25; do
    read -r n m na missing < <(compare "$(ls p$model.CASE.glm.logistic*)" "k$model.CASE.tsv.gz" "$chromosome")
    label="--xchr-model $model, chromosome $chromosome: $n variants"
    check "$label: max relative difference from A1_CASE_FREQ/A1_CTRL_FREQ" "$m" 1e-5
    check "$label: NA in one only" "$na" 0
    check "$label: plink2 rows kohort lacks" "$missing" 0
    expect_rows "$label" "$([ "$chromosome" = all ] && echo 50000 || echo 5000)" "$n"
  done
done
# --- Wald with samples dropped per variant, and a second binary phenotype with its own samples,
# in one run with a quantitative phenotype.
plink2 --bfile sx --pheno pheno.txt --pheno-name CASE2 --covar pheno.txt --covar-name QCOV2 \
  --glm omit-ref firth-fallback cols=+a1freqcc --out p2cc >/dev/null
"$KOHORT" -q gwas --bfile sx --pheno pheno.txt --pheno-col PHENO,CASE,CASE2 --covar pheno.txt --covar-col QCOV2 \
  --binary-test wald --missing-genotypes exclude --af-cc --out kall >/dev/null 2>&1
for pair in "p2.CASE.glm.logistic kall.CASE.tsv.gz" "p2cc.CASE2.glm.logistic kall.CASE2.tsv.gz"; do
  read -r plink_file kohort_file <<< "$pair"
  read -r n m na missing < <(compare "$(ls $plink_file*)" "$kohort_file" all)
  check "$kohort_file among three phenotypes ($n variants): max relative difference" "$m" 1e-5
  check "$kohort_file: NA in one only, or rows missing" "$((na + missing))" 0
  expect_rows "$kohort_file" 50000 "$n"
done
# Cases' and controls' ALT copies add up to all samples' (Wald counts the samples with a call in n):
# n f = n_cases f_cases + n_controls f_controls, to the 10 printed digits.
read -r n m < <(zcat kall.CASE2.tsv.gz | awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
  $1 < 23 && $c["effect_allele_frequency_cases"] != "NA" && $c["effect_allele_frequency_controls"] != "NA" {
    n++; x = $c["n_cases"] * $c["effect_allele_frequency_cases"] + $c["n_controls"] * $c["effect_allele_frequency_controls"] - $c["n"] * $c["effect_allele_frequency"]
    if (x < 0) x = -x; if (x > m) m = x }
  END { printf "%d %.3g\n", n, m + 0 }')
check "cases' and controls' ALT copies against all samples' ($n variants): max difference" "$m" 1e-6
expect_rows "weighted frequencies" 20000 "$n"
header=$(zcat kall.PHENO.tsv.gz | awk 'NR == 1')
case "$header" in
  *frequency_cases*) echo "FAIL: the quantitative phenotype's file has case frequency columns"; fail=1 ;;
  *) echo "ok   the quantitative phenotype's file has no case frequency columns" ;;
esac
# Without --af-cc the files are what they were: the same rows less the two columns.
"$KOHORT" -q gwas --bfile sx --pheno pheno.txt --pheno-col PHENO,CASE,CASE2 --covar pheno.txt --covar-col QCOV2 \
  --binary-test wald --missing-genotypes exclude --out knone >/dev/null 2>&1
if diff -q <(zcat knone.CASE2.tsv.gz) <(zcat kall.CASE2.tsv.gz | cut -f1-14,17-) >/dev/null &&
   diff -q <(zcat knone.PHENO.tsv.gz) <(zcat kall.PHENO.tsv.gz) >/dev/null; then
  echo "ok   without --af-cc: the same rows, less the two columns"
else
  echo "FAIL: --af-cc changed more than its two columns"; fail=1
fi

# --- Dosages: BGEN (8 bits, hard calls exact) and VCF give the .bed's frequencies. BGEN's first
# allele is plink2's REF; where the effect alleles differ, the frequencies are 1 - f.
plink2 --bfile sx --export bgen-1.2 bits=8 --out sxb >/dev/null
plink2 --bfile sx --export vcf bgz id-paste=iid --out sxv >/dev/null
awk 'BEGIN { print "IID\tSEX" } { print $2 "\t" ($5 == 1 ? "M" : $5 == 2 ? "F" : "NA") }' sx.fam > sex.tsv
for model in 2 1; do
  "$KOHORT" -q gwas --bgen sxb.bgen --sample sxb.sample --pheno pheno.txt --pheno-col CASE --covar pheno.txt --covar-col QCOV2 \
    --af-cc --xchr-model "$model" --out "kbgen$model" >/dev/null 2>&1
  "$KOHORT" -q gwas --vcf sxv.vcf.gz --sex sex.tsv --pheno pheno.txt --pheno-col CASE --covar pheno.txt --covar-col QCOV2 \
    --af-cc --xchr-model "$model" --out "kvcf$model" >/dev/null 2>&1
  for other in "kbgen$model" "kvcf$model"; do
    # MT is left out: plink2 exports its heterozygous (haploid) calls as the dosage 128/255 x 2.
    read -r n m bad < <(paste <(zcat "k$model.CASE.tsv.gz" | cut -f1-3,15,16) <(zcat "$other.CASE.tsv.gz" | cut -f1-3,15,16) | awk -F'\t' '
      NR > 1 && $1 != 25 { if ($1 != $6 || $2 != $7) { bad++; next }
        for (j = 4; j <= 5; j++) { a = $j; b = $(j + 5); if (a == "NA" || b == "NA") { if (a != b) bad++; continue }
                                   if ($3 != $8) b = 1 - b; x = a - b; if (x < 0) x = -x; if (x > m) m = x }
        n++ }
      END { printf "%d %.3g %d\n", n, m, bad + 0 }')
    check "$other (--xchr-model $model) against .bed, $n variants: max difference" "$m" 1e-9
    check "$other: rows out of step or NA in one only" "$bad" 0
    expect_rows "$other" 44000 "$n"
  done
done

exit "$fail"
