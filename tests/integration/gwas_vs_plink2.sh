#!/usr/bin/env bash
# kohort gwas against plink2 --glm and R on the real 1000 Genomes EUR subset (Debian's
# bolt-lmm-example), its phenotype and two quantitative covariates, plus two awkward variants.
# Tolerances (plink2 prints 6 significant digits and fits logistic models in single precision):
#   linear vs plink2: beta, SE relative 1e-5, -log10 p absolute 1e-5 (exact-missing mode: every
#     variant; default mean-imputation mode: every variant without missing calls);
#   linear vs R lm: beta, SE relative 1e-8 (300 variants);
#   logistic (Wald) vs plink2: beta, SE relative 1e-3; vs R glm: relative 1e-6;
#   Firth vs R brglm2 (AS_mean): relative 1e-6.
set -euo pipefail
: "${KOHORT:?path of the kohort binary}" "${KOHORT_WORK:=/tmp/kohort-test-work}"
here=$(cd "$(dirname "$0")" && pwd)
"$KOHORT_SOURCE_DIR/scripts/install-deps" test >/dev/null
work="$KOHORT_WORK/gwas_vs_plink2"
rm -rf "$work" && mkdir -p "$work" && cd "$work"
tarball=$(dpkg -L bolt-lmm-example | grep 'examples.tar.xz$')
tar xJf "$tarball" EUR_subset.bed EUR_subset.bim EUR_subset.fam EUR_subset.pheno.covars

# A binary trait from the quantitative one (top third are cases), PLINK 1/2 coding.
awk 'NR == 1 { print "FID IID PHENO CASE QCOV1 QCOV2"; next }
     { c = ($3 == "NA" || $3 == -9) ? "NA" : ($3 > 1.2 ? 2 : 1); print $1, $2, $3, c, $4, $5 }' EUR_subset.pheno.covars > pheno.txt
cp EUR_subset.bed eur.bed; cp EUR_subset.bim eur.bim; cp EUR_subset.fam eur.fam
Rscript "$here/r/awkward_variants.R" eur pheno.txt

fail=0
check() {  # check NAME VALUE LIMIT
  if awk -v v="$2" -v l="$3" 'BEGIN { exit !(v <= l) }'; then echo "ok   $1: $2 <= $3"; else echo "FAIL $1: $2 > $3"; fail=1; fi
}

# --- Quantitative.
plink2 --bfile eur --pheno pheno.txt --pheno-name PHENO --covar pheno.txt --covar-name QCOV1,QCOV2 \
  --glm hide-covar omit-ref cols=+a1freq --out p2 >/dev/null
"$KOHORT" -q gwas --bfile eur --pheno pheno.txt --pheno-col PHENO --covar pheno.txt --covar-col QCOV1,QCOV2 \
  --missing-genotypes exclude --out k_exact >/dev/null
"$KOHORT" -q gwas --bfile eur --pheno pheno.txt --pheno-col PHENO --covar pheno.txt --covar-col QCOV1,QCOV2 --out k_mean >/dev/null
plink2 --bfile eur --missing variant-only --out miss >/dev/null
awk 'NR > 1 && $5 == 0 { print $2 }' miss.vmiss > complete.ids

# Variants are matched on chromosome:position:REF:ALT.
compare_linear() {  # plink2 file, kohort file, optional id filter -> "count maxbeta maxse maxlogp NA-mismatches"
  zcat "$2" | awk -F'\t' -v filter="${3:-}" -v bim=eur.bim '
    BEGIN { while ((getline line < bim) > 0) { split(line, f, "\t"); key[f[2]] = f[1] ":" f[4] ":" f[6] ":" f[5] } }
    FILENAME == filter { keep[key[$1]] = 1; next }
    FNR == 1 && FILENAME != "-" { for (i = 1; i <= NF; i++) col[$i] = i; next }
    FILENAME != "-" { k = $1 ":" $2 ":" $4 ":" $5; b[k] = $col["BETA"]; s[k] = $col["SE"]; p[k] = $col["P"]; next }
    FNR == 1 { next }
    { id = $1 ":" $2 ":" $4 ":" $3; if (filter != "" && !(id in keep)) next
      if (!(id in b)) { missing++; next }
      if (b[id] == "NA" || $5 == "NA") { if ((b[id] == "NA") != ($5 == "NA")) bad++; next }
      x = ($5 - b[id]) / b[id]; if (x < 0) x = -x; if (x > mb) mb = x
      x = ($6 - s[id]) / s[id]; if (x < 0) x = -x; if (x > ms) ms = x
      x = $9 + log(p[id]) / log(10); if (x < 0) x = -x; if (x > ml) ml = x
      n++ }
    END { printf "%d %.3g %.3g %.3g %d\n", n, mb, ms, ml, bad + missing }' ${3:+"$3"} "$1" -
}
read -r n mb ms ml bad < <(compare_linear p2.PHENO.glm.linear k_exact.PHENO.tsv.gz)
echo "linear, exact-missing mode vs plink2: $n variants"
check "max relative beta difference" "$mb" 1e-5; check "max relative SE difference" "$ms" 1e-5
check "max -log10 p difference" "$ml" 1e-5; check "variants NA in one only" "$bad" 0
[ "$n" -gt 54000 ] || { echo "FAIL: too few variants compared"; fail=1; }
read -r n mb ms ml bad < <(compare_linear p2.PHENO.glm.linear k_mean.PHENO.tsv.gz complete.ids)
echo "linear, mean-imputation mode vs plink2 on $n variants without missing calls"
check "max relative beta difference" "$mb" 1e-5; check "max relative SE difference" "$ms" 1e-5; check "max -log10 p difference" "$ml" 1e-5
[ "$n" -gt 10000 ] || { echo "FAIL: too few complete variants"; fail=1; }

# --- High-precision references from R on 300 variants (every 180th).
awk 'NR % 180 == 0 { print $2 }' EUR_subset.bim > subset.ids
awk '{ print $2, $5 }' eur.bim > alt.alleles  # R counts the ALT allele, as kohort does
plink2 --bfile eur --extract subset.ids --export A --export-allele alt.alleles --out subset >/dev/null
Rscript "$here/r/gwas_reference.R" subset.raw pheno.txt ref
compare_reference() {  # R table (id_allele beta se), kohort file -> "count maxbeta maxse"
  zcat "$2" | awk -F'\t' -v bim=eur.bim '
    BEGIN { while ((getline line < bim) > 0) { split(line, f, "\t"); key[f[2]] = f[1] ":" f[4] ":" f[6] ":" f[5] } }
    FILENAME != "-" { if (FNR > 1) { id = $1; sub(/_[^_]*$/, "", id); b[key[id]] = $2; s[key[id]] = $3 } next }
    FNR > 1 { id = $1 ":" $2 ":" $4 ":" $3; if (!(id in b) || $5 == "NA") next
      x = ($5 - b[id]) / b[id]; if (x < 0) x = -x; if (x > mb) mb = x
      x = ($6 - s[id]) / s[id]; if (x < 0) x = -x; if (x > ms) ms = x; n++ }
    END { printf "%d %.3g %.3g\n", n, mb, ms }' "$1" -
}
read -r n mb ms < <(compare_reference ref.lm.tsv k_exact.PHENO.tsv.gz)
echo "linear vs R lm: $n variants"; check "max relative beta difference" "$mb" 1e-8; check "max relative SE difference" "$ms" 1e-8
[ "$n" -ge 250 ] || { echo "FAIL: too few variants compared with R"; fail=1; }

# --- Binary: logistic Wald (plink2's model) and Firth.
plink2 --bfile eur --pheno pheno.txt --pheno-name CASE --covar pheno.txt --covar-name QCOV1,QCOV2 \
  --glm hide-covar omit-ref firth-fallback cols=+beta,+firth --out p2b >/dev/null
"$KOHORT" -q gwas --bfile eur --pheno pheno.txt --pheno-col CASE --covar pheno.txt --covar-col QCOV1,QCOV2 \
  --binary-test wald --missing-genotypes exclude --out k_wald >/dev/null
"$KOHORT" -q gwas --bfile eur --pheno pheno.txt --pheno-col CASE --covar pheno.txt --covar-col QCOV1,QCOV2 \
  --binary-test firth --missing-genotypes exclude --out k_firth >/dev/null
"$KOHORT" -q gwas --bfile eur --pheno pheno.txt --pheno-col CASE --covar pheno.txt --covar-col QCOV1,QCOV2 --out k_score >/dev/null
p2b=$(ls p2b.CASE.glm.logistic*)
# plink2 fits in single precision: a beta near zero carries an absolute error near 1e-7, so beta
# differences are scaled by max(|beta|, SE/100). Rows where plink2 fell back to Firth are compared
# separately: plink2's Firth stops earlier (kohort's Firth matches R brglm2 to 1e-9 below). Rows
# plink2 marks UNFINISHED carry its last iterate, not an estimate, and are left out.
compare_logistic() {  # plink2 file, kohort file, FIRTH? value (Y/N) -> "count maxbeta maxse"
  zcat "$2" | awk -F'\t' -v want="$3" '
    FNR == 1 && FILENAME != "-" { for (i = 1; i <= NF; i++) col[$i] = i; next }
    FILENAME != "-" { if ($col["FIRTH?"] != want || $col["BETA"] == "NA" || $col["ERRCODE"] != ".") next
                      k = $1 ":" $2 ":" $4 ":" $5; b[k] = $col["BETA"]; s[k] = $col["SE"]; next }
    FNR == 1 { next }
    { id = $1 ":" $2 ":" $4 ":" $3; if (!(id in b) || $5 == "NA") next
      scale = b[id] < 0 ? -b[id] : b[id]; if (scale < s[id] / 100) scale = s[id] / 100
      x = ($5 - b[id]) / scale; if (x < 0) x = -x; if (x > mb) mb = x
      x = ($6 - s[id]) / s[id]; if (x < 0) x = -x; if (x > ms) ms = x; n++ }
    END { printf "%d %.3g %.3g\n", n, mb, ms }' "$1" -
}
read -r n mb ms < <(compare_logistic "$p2b" k_wald.CASE.tsv.gz N)
echo "logistic vs plink2: $n variants"
check "max scaled beta difference" "$mb" 1e-3; check "max relative SE difference" "$ms" 1e-3
[ "$n" -gt 50000 ] || { echo "FAIL: too few variants compared"; fail=1; }
read -r n mb ms < <(compare_logistic "$p2b" k_wald.CASE.tsv.gz Y)
echo "Firth fallback vs plink2's Firth: $n variants"
check "max scaled beta difference" "$mb" 1e-2; check "max relative SE difference" "$ms" 1e-2
read -r n mb ms < <(compare_reference ref.glm.tsv k_wald.CASE.tsv.gz)
echo "logistic vs R glm: $n variants"; check "max relative beta difference" "$mb" 1e-6; check "max relative SE difference" "$ms" 1e-6
read -r n mb ms < <(compare_reference ref.firth.tsv k_firth.CASE.tsv.gz)
echo "Firth vs R brglm2: $n variants"; check "max relative beta difference" "$mb" 1e-6; check "max relative SE difference" "$ms" 1e-6
[ "$n" -ge 250 ] || { echo "FAIL: too few Firth fits compared with R"; fail=1; }

# --- The awkward variants: what plink2 and kohort report.
echo "awkward variants: plink2 (firth-fallback) | kohort wald | kohort score (beta SE p test error):"
for id in awk_allhet awk_separated; do
  pos=$(awk -v id="$id" '$2 == id { print $4 }' eur.bim)
  p=$(awk -v id="$id" '$3 == id' "$p2b" | cut -f6- | tr '\t' ' ')
  k=$(zcat k_wald.CASE.tsv.gz | awk -F'\t' -v pos="$pos" '$2 == pos' | cut -f5,6,8,15,16 | tr '\t' ' ')
  s=$(zcat k_score.CASE.tsv.gz | awk -F'\t' -v pos="$pos" '$2 == pos' | cut -f5,6,8,15,16 | tr '\t' ' ')
  echo "  $id: plink2 [$p] | kohort wald [$k] | kohort score [$s]"
done
allhet=$(awk '$2 == "awk_allhet" { print $4 }' eur.bim); separated=$(awk '$2 == "awk_separated" { print $4 }' eur.bim)
zcat k_wald.CASE.tsv.gz | awk -F'\t' -v pos="$allhet" '$2 == pos && $16 != "CONST_ALLELE" { exit 1 }' || { echo "FAIL: all-heterozygous variant not reported as CONST_ALLELE"; fail=1; }
zcat k_wald.CASE.tsv.gz | awk -F'\t' -v pos="$separated" '$2 == pos && ($15 != "firth" || $5 == "NA") { exit 1 }' || { echo "FAIL: separated variant did not fall back to Firth"; fail=1; }
for f in k_exact.PHENO k_mean.PHENO k_wald.CASE k_score.CASE; do
  [ -f "$f.tsv.gz.tbi" ] && [ -f "$f.tsv.gz-meta.yaml" ] || { echo "FAIL: $f has no tabix index or metadata"; fail=1; }
done

# --- The same data as bgzipped VCF (read through htslib, dense path) gives the same results.
plink2 --bfile eur --export vcf bgz id-paste=iid --out eur_vcf >/dev/null
"$KOHORT" -q gwas --vcf eur_vcf.vcf.gz --pheno pheno.txt --pheno-col PHENO --covar pheno.txt --covar-col QCOV1,QCOV2 \
  --missing-genotypes exclude --out k_vcf >/dev/null
read -r n bad mb < <(paste <(zcat k_exact.PHENO.tsv.gz | cut -f1-6) <(zcat k_vcf.PHENO.tsv.gz | cut -f1-6) | awk -F'\t' '
  NR > 1 && $5 != "NA" { if ($1 != $7 || $2 != $8 || $3 != $9) bad++; d = ($5 - $11) / $5; if (d < 0) d = -d; if (d > m) m = d; n++ }
  END { printf "%d %d %.3g\n", n, bad, m }')
echo "VCF input vs .bed input: $n variants"
check "max relative beta difference" "$mb" 1e-9; check "variants out of step" "$bad" 0

# --- And as BGEN 1.2, 8 bits (hard calls are stored exactly), in the default mean-imputation mode:
# variants with missing calls take the copying path, the others the dosage block in place.
plink2 --bfile eur --export bgen-1.2 bits=8 ref-first --out eur_bgen >/dev/null
"$KOHORT" -q gwas --bgen eur_bgen.bgen --sample eur_bgen.sample --pheno pheno.txt --pheno-col PHENO --covar pheno.txt \
  --covar-col QCOV1,QCOV2 --out k_bgen >/dev/null
read -r n bad mb ms < <(paste <(zcat k_mean.PHENO.tsv.gz | cut -f1-6) <(zcat k_bgen.PHENO.tsv.gz | cut -f1-6) | awk -F'\t' '
  NR > 1 && $5 != "NA" { if ($1 != $7 || $2 != $8 || $3 != $9) bad++
    d = ($5 - $11) / $5; if (d < 0) d = -d; if (d > m) m = d; d = ($6 - $12) / $6; if (d < 0) d = -d; if (d > s) s = d; n++ }
  END { printf "%d %d %.3g %.3g\n", n, bad, m, s }')
echo "BGEN input vs .bed input (mean imputation): $n variants"
check "max relative beta difference" "$mb" 1e-9; check "max relative SE difference" "$ms" 1e-9; check "variants out of step" "$bad" 0
[ "$n" -gt 54000 ] || { echo "FAIL: too few BGEN variants compared"; fail=1; }

[ "$fail" -eq 0 ] && echo PASS || exit 1
