#!/usr/bin/env bash
# kohort gwas on the sex chromosomes and MT against plink2 --glm's defaults, on the real 1000
# Genomes EUR subset (Debian's bolt-lmm-example) with chromosomes 19-22 renamed XY, MT, X and Y,
# the .fam's sexes, and every 10th sample's sex unknown. plink2 (xchr-model 2) adds sex as a
# covariate on chrX and leaves out samples of unknown sex there; it tests chrY in males only; it
# codes chrY and MT 0/1. Tolerances as in gwas_vs_plink2.sh (plink2 prints 6 significant digits
# and fits logistic models in single precision):
#   linear (exact-missing mode): beta, SE relative 1e-5, -log10 p absolute 1e-5, every variant;
#   logistic Wald: beta (scaled by max(|beta|, SE/100)) and SE relative 1e-3.
# Also: plink2's no-x-sex, sex from a BGEN .sample and from --sex (VCF) give the same numbers.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${KOHORT:?path of the kohort binary}" "${KOHORT_WORK:=/tmp/kohort-test-work}"
"$KOHORT_SOURCE_DIR/scripts/install-deps" test >/dev/null
work="$KOHORT_WORK/gwas_sex_chromosomes_vs_plink2"
rm -rf "$work" && mkdir -p "$work" && cd "$work"
tarball=$(dpkg -L bolt-lmm-example | grep 'examples.tar.xz$')
tar xJf "$tarball" EUR_subset.bed EUR_subset.bim EUR_subset.fam EUR_subset.pheno.covars

awk 'NR == 1 { print "FID IID PHENO CASE QCOV1 QCOV2"; next }
     { c = ($3 == "NA" || $3 == -9) ? "NA" : ($3 > 1.2 ? 2 : 1); print $1, $2, $3, c, $4, $5 }' EUR_subset.pheno.covars > pheno.txt
cp EUR_subset.bed raw.bed
awk 'BEGIN { OFS = "\t"; name[19] = "XY"; name[20] = "MT"; name[21] = "X"; name[22] = "Y" }
     $1 in name { $1 = name[$1] } { print }' EUR_subset.bim > raw.bim
awk 'NR % 10 == 0 { $5 = 0 } { print }' EUR_subset.fam > raw.fam
# Autosomal data has heterozygous males on "X" and "Y" and heterozygous calls on "MT"; real data
# has none, and plink2's BGEN export recodes them, so they are set missing (plink2 --glm and
# kohort would otherwise agree on them too: both keep them as 1).
plink2 --bfile raw --set-hh-missing --make-bed --out sx >/dev/null
males=$(awk '$5 == 1' sx.fam | wc -l); unknown=$(awk '$5 == 0' sx.fam | wc -l)
echo "samples: $males male, $unknown of unknown sex"

fail=0
check() {  # check NAME VALUE LIMIT
  if awk -v v="$2" -v l="$3" 'BEGIN { exit !(v <= l) }'; then echo "ok   $1: $2 <= $3"; else echo "FAIL $1: $2 > $3"; fail=1; fi
}
# plink2's rows (ADD test) against kohort's, matched on GWAS-SSF chromosome:position:REF:ALT, for
# the chromosomes (plink2's names) in $3 -> "count maxbeta maxse maxlogp NA-or-missing n-mismatches"
compare() {  # plink2 file, kohort file, chromosomes (comma-separated), linear|logistic
  zcat "$2" | awk -F'\t' -v want="$3" -v kind="$4" '
    BEGIN { code["X"] = 23; code["XY"] = 23; code["Y"] = 24; code["MT"] = 25; split(want, w, ","); for (i in w) keep[w[i]] = 1 }
    FNR == 1 && FILENAME != "-" { for (i = 1; i <= NF; i++) col[$i] = i; next }
    FILENAME != "-" { if (!($1 in keep) || $col["TEST"] != "ADD") next
                      if (kind == "logistic" && ($col["FIRTH?"] == "Y" || $col["ERRCODE"] != ".")) next
                      c = ($1 in code) ? code[$1] : $1; k = c ":" $2 ":" $4 ":" $5
                      b[k] = $col["BETA"]; s[k] = $col["SE"]; p[k] = $col["P"]; obs[k] = $col["OBS_CT"]; next }
    FNR == 1 { next }
    { id = $1 ":" $2 ":" $4 ":" $3; if (!(id in b)) next
      seen++
      if (b[id] == "NA" || $5 == "NA") { if ((b[id] == "NA") != ($5 == "NA")) bad++; next }
      if ($12 != obs[id]) nbad++
      if (kind == "linear") { scale = b[id] } else { scale = b[id] < 0 ? -b[id] : b[id]; if (scale < s[id] / 100) scale = s[id] / 100 }
      x = ($5 - b[id]) / scale; if (x < 0) x = -x; if (x > mb) mb = x
      x = ($6 - s[id]) / s[id]; if (x < 0) x = -x; if (x > ms) ms = x
      x = $9 + log(p[id]) / log(10); if (x < 0) x = -x; if (x > ml) ml = x
      n++ }
    END { printf "%d %.3g %.3g %.3g %d %d\n", n, mb, ms, ml, bad + (length(b) - seen), nbad }' "$1" -
}
expect_rows() {  # NAME MIN COUNT
  [ "$3" -ge "$2" ] || { echo "FAIL $1: only $3 variants compared"; fail=1; }
}

# --- Quantitative, exact-missing mode, every chromosome.
plink2 --bfile sx --pheno pheno.txt --pheno-name PHENO --covar pheno.txt --covar-name QCOV2 \
  --glm omit-ref --out p2 >/dev/null
"$KOHORT" -q gwas --bfile sx --pheno pheno.txt --pheno-col PHENO --covar pheno.txt --covar-col QCOV2 \
  --missing-genotypes exclude --out k >/dev/null
for chromosomes in 17,18 X Y MT XY; do
  read -r n mb ms ml bad nbad < <(compare p2.PHENO.glm.linear k.PHENO.tsv.gz "$chromosomes" linear)
  echo "linear on $chromosomes: $n variants"
  check "  max relative beta difference" "$mb" 1e-5; check "  max relative SE difference" "$ms" 1e-5
  check "  max -log10 p difference" "$ml" 1e-5; check "  variants NA in one only, or missing" "$bad" 0
  check "  variants whose n differs from OBS_CT" "$nbad" 0
  expect_rows "linear on $chromosomes" 3000 "$n"
done
# chrY's largest n is the males with a phenotype (chrX's, without the samples of unknown sex, is checked above).
y_n=$(zcat k.PHENO.tsv.gz | awk -F'\t' '$1 == 24 && $12 > m { m = $12 } END { print m }')
auto_n=$(zcat k.PHENO.tsv.gz | awk -F'\t' '$1 == 17 && $12 > m { m = $12 } END { print m }')
echo "n: autosomes $auto_n, chrY $y_n (males with a phenotype)"
if [ "$y_n" -ge "$males" ] || [ "$y_n" -le 100 ]; then echo "FAIL: chrY n $y_n is not the males'"; fail=1; fi
zcat k.PHENO.tsv.gz | awk -F'\t' 'NR > 1 { seen[$1] = 1 } END { exit !(seen[23] && seen[24] && seen[25] && !seen[19] && !seen[22]) }' \
  || { echo "FAIL: chromosomes not written as GWAS-SSF codes 23 (X, XY), 24 (Y), 25 (MT)"; fail=1; }

# --- plink2's no-x-sex: chrX as an autosome, every sample.
plink2 --bfile sx --pheno pheno.txt --pheno-name PHENO --covar pheno.txt --covar-name QCOV2 \
  --glm omit-ref no-x-sex --out p2nox >/dev/null
"$KOHORT" -q gwas --bfile sx --pheno pheno.txt --pheno-col PHENO --covar pheno.txt --covar-col QCOV2 \
  --missing-genotypes exclude --no-x-sex --out knox >/dev/null
read -r n mb ms ml bad nbad < <(compare p2nox.PHENO.glm.linear knox.PHENO.tsv.gz X linear)
echo "linear on X, no-x-sex: $n variants"
check "  max relative beta difference" "$mb" 1e-5; check "  max relative SE difference" "$ms" 1e-5
check "  max -log10 p difference" "$ml" 1e-5; check "  variants NA in one only" "$bad" 0; check "  n differs" "$nbad" 0
expect_rows "no-x-sex" 5000 "$n"

# --- plink2's --xchr-model 1 (males coded 0/1, with and without sex as a covariate) and 0 (chrX
# skipped). The effect allele frequency follows the coding: under model 1 a male counts one X
# (plink2's A1_FREQ), under model 2 two.
frequency_difference() {  # plink2 file (with A1_FREQ), kohort file -> "count max-relative-difference" on chrX
  zcat "$2" | awk -F'\t' '
    FNR == 1 && FILENAME != "-" { for (i = 1; i <= NF; i++) col[$i] = i; next }
    FILENAME != "-" { if ($1 == "X" && $col["TEST"] == "ADD") f["23:" $2 ":" $4 ":" $5] = $col["A1_FREQ"]; next }
    FNR == 1 { next }
    { id = $1 ":" $2 ":" $4 ":" $3; if (!(id in f) || f[id] == 0) next
      n++; x = ($7 - f[id]) / f[id]; if (x < 0) x = -x; if (x > m) m = x }
    END { printf "%d %.3g\n", n, m }' "$1" -
}
for model in 1 2; do
  for sex_flag in "" no-x-sex; do
    plink2 --bfile sx --pheno pheno.txt --pheno-name PHENO --covar pheno.txt --covar-name QCOV2 \
      --glm omit-ref $sex_flag cols=+a1freq --xchr-model $model --out "p2x$model$sex_flag" >/dev/null
    # shellcheck disable=SC2046
    "$KOHORT" -q gwas --bfile sx --pheno pheno.txt --pheno-col PHENO --covar pheno.txt --covar-col QCOV2 \
      --missing-genotypes exclude --xchr-model $model $([ -n "$sex_flag" ] && echo --no-x-sex) --out "kx$model$sex_flag" >/dev/null
    label="linear on X, --xchr-model $model${sex_flag:+ $sex_flag}"
    if [ "$model" = 1 ]; then
      read -r n mb ms ml bad nbad < <(compare "p2x$model$sex_flag.PHENO.glm.linear" "kx$model$sex_flag.PHENO.tsv.gz" X linear)
      echo "$label: $n variants"
      check "  max relative beta difference" "$mb" 1e-5; check "  max relative SE difference" "$ms" 1e-5
      check "  max -log10 p difference" "$ml" 1e-5; check "  variants NA in one only" "$bad" 0; check "  n differs" "$nbad" 0
      expect_rows "$label" 5000 "$n"
    fi
    read -r n mf < <(frequency_difference "p2x$model$sex_flag.PHENO.glm.linear" "kx$model$sex_flag.PHENO.tsv.gz")
    check "  $label: max relative difference of the frequency from A1_FREQ ($n variants)" "$mf" 1e-5
    expect_rows "$label frequencies" 5000 "$n"
  done
done
# Model 1's coding is not model 2's halved: beta differs by more than a factor of 2 somewhere.
ratio=$(paste <(zcat kx1.PHENO.tsv.gz | cut -f1,5) <(zcat kx2.PHENO.tsv.gz | cut -f1,5) | awk -F'\t' '
  $1 == 23 && $2 != "NA" && $4 != "NA" && $4 != 0 { x = $2 / $4 - 2; if (x < 0) x = -x; if (x > m) m = x } END { print m + 0 }')
awk -v r="$ratio" 'BEGIN { exit !(r > 0.01) }' || { echo "FAIL: --xchr-model 1 only rescales model 2 (max |beta1/beta2 - 2| = $ratio)"; fail=1; }
# Logistic (Wald) under model 1, and the same coding from a BGEN (decoded dosages, mean-imputed).
plink2 --bfile sx --pheno pheno.txt --pheno-name CASE --covar pheno.txt --covar-name QCOV2 \
  --glm omit-ref firth-fallback cols=+beta,+firth --xchr-model 1 --out p2bx1 >/dev/null
"$KOHORT" -q gwas --bfile sx --pheno pheno.txt --pheno-col CASE --covar pheno.txt --covar-col QCOV2 \
  --binary-test wald --missing-genotypes exclude --xchr-model 1 --out kbx1 >/dev/null
read -r n mb ms ml bad nbad < <(compare "$(ls p2bx1.CASE.glm.logistic*)" kbx1.CASE.tsv.gz X logistic)
echo "logistic on X, --xchr-model 1: $n variants"
check "  max scaled beta difference" "$mb" 1e-3; check "  variants whose n differs from OBS_CT" "$nbad" 0
expect_rows "logistic on X, --xchr-model 1" 1500 "$n"
# plink2's single-precision SE is off by up to 0.3% on a few variants here: those beyond 1e-3, and
# 20 others, are checked against R's glm in double precision (relative 1e-6) instead.
p2bx1=$(ls p2bx1.CASE.glm.logistic*)
zcat kbx1.CASE.tsv.gz | awk -F'\t' 'FNR == NR { if ($1 == "X" && $8 == "ADD" && $7 == "N") se["23:" $2 ":" $4 ":" $5] = $11; next }
  FNR > 1 { id = $1 ":" $2 ":" $4 ":" $3; if (!(id in se)) next; x = ($6 - se[id]) / se[id]; if (x < 0) x = -x
            if (x > 1e-3) { far++; print $11 } else if (near < 20 && FNR % 50 == 0) { near++; print $11 } }
  END { print far + 0 > "x1_far.count" }' "$p2bx1" - > x1_check.ids
ms_near=$(zcat kbx1.CASE.tsv.gz | awk -F'\t' 'FNR == NR { if ($1 == "X" && $8 == "ADD" && $7 == "N") se["23:" $2 ":" $4 ":" $5] = $11; next }
  FNR > 1 { id = $1 ":" $2 ":" $4 ":" $3; if (!(id in se)) next; x = ($6 - se[id]) / se[id]; if (x < 0) x = -x; if (x <= 1e-3 && x > m) m = x }
  END { print m + 0 }' "$p2bx1" -)
echo "  SE beyond 1e-3 of plink2's: $(cat x1_far.count) variants; the largest difference of the others $ms_near"
plink2 --bfile sx --extract x1_check.ids --export A --out x1_check >/dev/null
Rscript "$here/r/x_haploid_logistic.R" x1_check.raw sx.fam pheno.txt x1_glm.tsv
read -r n mb ms < <(zcat kbx1.CASE.tsv.gz | awk -F'\t' 'FNR == NR { if (FNR > 1) { c[$1] = $2; b[$1] = $3; s[$1] = $4 }; next }
  FNR > 1 && ($11 in b) { beta = c[$11] == $3 ? b[$11] : -b[$11]; n++
                         x = ($5 - beta) / beta; if (x < 0) x = -x; if (x > mb) mb = x
                         x = ($6 - s[$11]) / s[$11]; if (x < 0) x = -x; if (x > ms) ms = x }
  END { printf "%d %.3g %.3g\n", n, mb, ms }' x1_glm.tsv -)
echo "logistic on X, --xchr-model 1, vs R glm: $n variants"
check "  max relative beta difference" "$mb" 1e-6; check "  max relative SE difference" "$ms" 1e-6
expect_rows "R glm, --xchr-model 1" 20 "$n"
# Model 0: no chrX rows, the others as with model 2.
"$KOHORT" -q gwas --bfile sx --pheno pheno.txt --pheno-col PHENO --covar pheno.txt --covar-col QCOV2 \
  --missing-genotypes exclude --xchr-model 0 --out kx0 >/dev/null
plink2 --bfile sx --pheno pheno.txt --pheno-name PHENO --covar pheno.txt --covar-name QCOV2 --glm omit-ref \
  --xchr-model 0 --out p2x0 >/dev/null
k0=$(zcat kx0.PHENO.tsv.gz | awk -F'\t' 'NR > 1 { print $2 ":" $4 ":" $3 }' | sort | md5sum)
p0=$(awk 'NR > 1 && $7 == "ADD" { print $2 ":" $4 ":" $5 }' p2x0.PHENO.glm.linear | sort | md5sum)
k2=$(zcat kx2.PHENO.tsv.gz | awk -F'\t' 'NR > 1 && $1 != 23' | md5sum); k0b=$(zcat kx0.PHENO.tsv.gz | awk -F'\t' 'NR > 1 && $1 != 23' | md5sum)
x0=$(zcat kx0.PHENO.tsv.gz | awk -F'\t' 'NR > 1 && $1 == 23' | wc -l); xy=$(awk '$1 == "XY"' sx.bim | wc -l)
echo "--xchr-model 0: $x0 rows coded 23 (the $xy XY variants)"
if [ "$k0" != "$p0" ] || [ "$k2" != "$k0b" ] || [ "$x0" -ne "$xy" ]; then echo "FAIL: --xchr-model 0 rows differ from plink2's or from model 2's"; fail=1; fi

# --- Binary: logistic Wald, plink2's model.
plink2 --bfile sx --pheno pheno.txt --pheno-name CASE --covar pheno.txt --covar-name QCOV2 \
  --glm omit-ref firth-fallback cols=+beta,+firth --out p2b >/dev/null
"$KOHORT" -q gwas --bfile sx --pheno pheno.txt --pheno-col CASE --covar pheno.txt --covar-col QCOV2 \
  --binary-test wald --missing-genotypes exclude --out kb >/dev/null
p2b=$(ls p2b.CASE.glm.logistic*)
for chromosomes in X Y MT; do
  read -r n mb ms ml bad nbad < <(compare "$p2b" kb.CASE.tsv.gz "$chromosomes" logistic)
  echo "logistic on $chromosomes: $n variants"
  check "  max scaled beta difference" "$mb" 1e-3; check "  max relative SE difference" "$ms" 1e-3
  check "  variants whose n differs from OBS_CT" "$nbad" 0
  expect_rows "logistic on $chromosomes" 1500 "$n"
done

# --- The same sexes from a BGEN .sample file, and from --sex with a VCF (which has none).
plink2 --bfile sx --export bgen-1.2 bits=8 --out sxb >/dev/null
head -3 sxb.sample | sed 's/^/  .sample: /'
"$KOHORT" -q gwas --bgen sxb.bgen --sample sxb.sample --pheno pheno.txt --pheno-col PHENO --covar pheno.txt --covar-col QCOV2 \
  --missing-genotypes exclude --out kbgen >/dev/null
plink2 --bfile sx --export vcf bgz id-paste=iid --out sxv >/dev/null
awk 'BEGIN { print "IID\tSEX" } { print $2 "\t" ($5 == 1 ? "M" : $5 == 2 ? "F" : "NA") }' sx.fam > sex.tsv
"$KOHORT" -q gwas --vcf sxv.vcf.gz --sex sex.tsv --pheno pheno.txt --pheno-col PHENO --covar pheno.txt --covar-col QCOV2 \
  --missing-genotypes exclude --out kvcf >/dev/null
for other in kbgen kvcf; do
  # BGEN's first allele is plink2's REF: beta changes sign where the effect alleles differ. MT is
  # left out: plink2 exports its heterozygous (haploid) calls as the dosage 128/255 x 2.
  read -r n mb < <(paste <(zcat k.PHENO.tsv.gz | cut -f1-3,5,12) <(zcat "$other.PHENO.tsv.gz" | cut -f1-3,5,12) | awk -F'\t' '
    NR > 1 && $1 != 25 { n++; if ($1 != $6 || $2 != $7 || $5 != $10) bad++; if ($4 == "NA" || $9 == "NA") { if ($4 != $9) bad++; next }
                         b = $3 == $8 ? $9 : -$9; x = (b - $4) / $4; if (x < 0) x = -x; if (x > m) m = x }
    END { printf "%d %.3g\n", n - bad, m }')
  echo "$other (sex from $([ "$other" = kbgen ] && echo the .sample || echo --sex)) vs .bed: $n rows"
  check "  max relative beta difference" "$mb" 1e-6
  expect_rows "$other" 44724 "$n"
done
# --xchr-model 1 from the BGEN's dosages (decoded path) equals the .bed's (mean-imputed, the default).
"$KOHORT" -q gwas --bfile sx --pheno pheno.txt --pheno-col PHENO --covar pheno.txt --covar-col QCOV2 --xchr-model 1 --out kmx1 >/dev/null
"$KOHORT" -q gwas --bgen sxb.bgen --sample sxb.sample --pheno pheno.txt --pheno-col PHENO --covar pheno.txt --covar-col QCOV2 \
  --xchr-model 1 --out kbgenx1 >/dev/null
read -r n mb mf < <(paste <(zcat kmx1.PHENO.tsv.gz | cut -f1-3,5,7) <(zcat kbgenx1.PHENO.tsv.gz | cut -f1-3,5,7) | awk -F'\t' '
  NR > 1 && $1 == 23 { n++; if ($4 == "NA" || $9 == "NA") { if ($4 != $9) bad++; next }
                       same = $3 == $8; b = same ? $9 : -$9; f = same ? $10 : 1 - $10
                       x = (b - $4) / $4; if (x < 0) x = -x; if (x > m) m = x
                       x = f - $5; if (x < 0) x = -x; if (x > mf) mf = x }
  END { printf "%d %.3g %.3g\n", n - bad, m, mf }')
echo "--xchr-model 1, BGEN vs .bed (mean-imputed): $n chrX rows"
check "  max relative beta difference" "$mb" 1e-6; check "  max frequency difference" "$mf" 1e-9
expect_rows "--xchr-model 1 BGEN" 5000 "$n"
# Under model 1 a phenotype's results do not depend on the others of the run: PHENO alone, and
# beside PART (PHENO with every 5th sample missing: other samples, so other frequencies and fills).
awk 'NR == 1 { print $0, "PART"; next } { print $0, (NR % 5 == 0 ? "NA" : $3) }' pheno.txt > pheno_part.txt
"$KOHORT" -q gwas --bfile sx --pheno pheno_part.txt --pheno-col PHENO --covar pheno.txt --covar-col QCOV2 --xchr-model 1 --out kalone >/dev/null
"$KOHORT" -q gwas --bfile sx --pheno pheno_part.txt --pheno-col PART,PHENO --covar pheno.txt --covar-col QCOV2 --xchr-model 1 --out kpair >/dev/null
if cmp -s <(zcat kalone.PHENO.tsv.gz) <(zcat kpair.PHENO.tsv.gz); then
  echo "ok   --xchr-model 1: PHENO alone and beside PART give the same rows"
else
  echo "FAIL: --xchr-model 1 PHENO changes when run beside PART"; fail=1
fi
# Model 1 writes the same bytes at 1 and 2 threads (chrX's decoded chunks do not depend on them).
for t in 1 2; do
  "$KOHORT" -q --threads $t gwas --bfile sx --pheno pheno.txt --pheno-col PHENO,CASE --covar pheno.txt --covar-col QCOV2 \
    --xchr-model 1 --block-size 1000 --out "kthreads$t" >/dev/null
done
for p in PHENO CASE; do
  cmp -s <(zcat "kthreads1.$p.tsv.gz") <(zcat "kthreads2.$p.tsv.gz") || { echo "FAIL: --xchr-model 1 $p differs between 1 and 2 threads"; fail=1; }
done
# Variant filters count chrX and chrY with the same sexes (chrX's HWE is the females' genotypes
# with the males' alleles; chrY's counts are the males'): --sex on a VCF keeps the .bed's variants.
filters="--maf 0.2 --hwe 1e-4"
# shellcheck disable=SC2086
"$KOHORT" -q gwas --bfile sx --pheno pheno.txt --pheno-col PHENO $filters --out kfbed >/dev/null
# shellcheck disable=SC2086
"$KOHORT" -q gwas --vcf sxv.vcf.gz --sex sex.tsv --pheno pheno.txt --pheno-col PHENO $filters --out kfvcf >/dev/null
# shellcheck disable=SC2086
plink2 --bfile sx --pheno pheno.txt --pheno-name PHENO $filters --glm omit-ref allow-no-covars --out p2f >/dev/null
rows() { zcat "$1" | awk -F'\t' 'NR > 1 { print $1 ":" $2 }' | sort; }
bed_rows=$(rows kfbed.PHENO.tsv.gz | wc -l)
p2_rows=$(awk 'NR > 1 && $7 == "ADD"' p2f.PHENO.glm.linear | wc -l)
x_rows=$(rows kfbed.PHENO.tsv.gz | grep -c '^2[34]:' || true)
echo "filters $filters: .bed $bed_rows variants ($x_rows on chrX/chrY/XY), plink2 $p2_rows"
if ! diff -q <(rows kfbed.PHENO.tsv.gz) <(rows kfvcf.PHENO.tsv.gz) >/dev/null || [ "$bed_rows" -ne "$p2_rows" ] || [ "$x_rows" -lt 1000 ]; then
  echo "FAIL: filtered variants differ between the .bed, the VCF with --sex and plink2"; fail=1
fi

# Without sexes, a VCF's chrX is tested without sex (with a warning) and chrY is NA.
"$KOHORT" gwas --vcf sxv.vcf.gz --pheno pheno.txt --pheno-col PHENO --covar pheno.txt --covar-col QCOV2 \
  --out knosex >/dev/null 2> knosex.log
grep -q "chrX is tested without sex" knosex.log || { echo "FAIL: no warning that chrX is tested without sex"; fail=1; }
zcat knosex.PHENO.tsv.gz | awk -F'\t' '$1 == 24 && $14 != "NO_MALES" { bad = 1 } END { exit bad }' || { echo "FAIL: chrY without males not NO_MALES"; fail=1; }
# A bad --sex value names the file and the sample, and writes nothing.
awk 'NR == 5 { $2 = "3" } { print }' OFS='\t' sex.tsv > bad_sex.tsv
if "$KOHORT" gwas --vcf sxv.vcf.gz --sex bad_sex.tsv --pheno pheno.txt --pheno-col PHENO --out kbad 2> bad.log; then
  echo "FAIL: a sex of 3 was accepted"; fail=1
elif ! grep -q "bad_sex.tsv.*sex '3'" bad.log || ls kbad* >/dev/null 2>&1; then
  echo "FAIL: bad sex error unclear or output written:"; cat bad.log; fail=1
else
  echo "ok   a sex of 3 is an error: $(grep -o "bad_sex.tsv.*" bad.log)"
fi

exit $fail
