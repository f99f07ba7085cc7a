#!/usr/bin/env bash
# kohort gwas --pheno-quantile-normalize against plink2 --pheno-quantile-normalize --glm on the
# 1000 Genomes EUR subset (Debian's bolt-lmm-example): the subset's phenotype, a skewed copy of it
# rounded so that many values tie, and samples without a covariate or a phenotype. Tolerances:
#   vs plink2, every variant: SE relative 1e-5 (plink2's 6 digits); beta relative 1e-5 scaled by
#     max(|beta|, SE/1000): plink2's normal quantile is an approximation good to about 1e-9, which
#     a beta near zero carries as an absolute error near 1e-9 SE;
#   vs R (rank, qnorm, lm) on 300 variants: beta and SE relative 1e-8.
# The transform must also change the results (untransformed SKEWED differs).
set -euo pipefail
: "${KOHORT:?path of the kohort binary}" "${KOHORT_WORK:=/tmp/kohort-test-work}"
here=$(cd "$(dirname "$0")" && pwd)
"$KOHORT_SOURCE_DIR/scripts/install-deps" test >/dev/null
work="$KOHORT_WORK/gwas_quantile_normalize_vs_plink2"
rm -rf "$work" && mkdir -p "$work" && cd "$work"
tar xJf "$(dpkg -L bolt-lmm-example | grep 'examples.tar.xz$')" EUR_subset.bed EUR_subset.bim EUR_subset.fam EUR_subset.pheno.covars
# SKEWED = round(exp(PHENO)) to one decimal: heavy right tail and ties. Every 17th sample has no
# QCOV1, every 23rd no SKEWED: the ranks must be those of the samples with the phenotype.
awk 'NR == 1 { print "FID IID PHENO SKEWED QCOV1 QCOV2"; next }
  { s = sprintf("%.1f", exp($3)); if (NR % 23 == 0) s = "NA"; c = (NR % 17 == 0) ? "NA" : $4
    print $1, $2, $3, s, c, $5 }' EUR_subset.pheno.covars > pheno.txt

plink2 --bfile EUR_subset --pheno pheno.txt --pheno-name PHENO,SKEWED --covar pheno.txt --covar-name QCOV1,QCOV2 \
  --pheno-quantile-normalize --glm hide-covar omit-ref --out p2 >/dev/null
"$KOHORT" -q gwas --bfile EUR_subset --pheno pheno.txt --pheno-col PHENO,SKEWED --covar pheno.txt --covar-col QCOV1,QCOV2 \
  --pheno-quantile-normalize --out k >/dev/null
"$KOHORT" -q gwas --bfile EUR_subset --pheno pheno.txt --pheno-col SKEWED --covar pheno.txt --covar-col QCOV1,QCOV2 \
  --out raw >/dev/null

fail=0
# Prints: variants in both, variants in one only, max relative beta and SE differences.
compare() {  # plink2 file, kohort file
  zcat "$2" | awk -F'\t' '
    FILENAME != "-" && FNR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    FILENAME != "-" { k = $1 ":" $2 ":" $col["A1"]; b[k] = $col["BETA"]; s[k] = $col["SE"]; next }
    FNR == 1 { for (i = 1; i <= NF; i++) kc[$i] = i; next }
    { k = $1 ":" $2 ":" $3; if (!(k in b)) { other++; next }
      seen[k] = 1; n++
      d = b[k] < 0 ? -b[k] : b[k]; if (d < s[k] / 1000) d = s[k] / 1000
      x = ($kc["beta"] - b[k]) / d; if (x < 0) x = -x; if (x > mb) mb = x
      x = ($kc["standard_error"] - s[k]) / s[k]; if (x < 0) x = -x; if (x > ms) ms = x }
    END { for (k in b) if (!(k in seen)) other++; printf "%d %d %.3g %.3g\n", n, other, mb, ms }' "$1" -
}
total=$(wc -l < EUR_subset.bim)
for p in PHENO SKEWED; do
  read -r both only_one mb ms < <(compare "p2.$p.glm.linear" "k.$p.tsv.gz")
  echo "$p vs plink2: $both variants in both, $only_one in one only, max scaled beta difference $mb, relative SE $ms"
  if [ "$both" -ne "$total" ] || [ "$only_one" -ne 0 ] || ! awk -v b="$mb" -v s="$ms" 'BEGIN { exit !(b <= 1e-5 && s <= 1e-5) }'; then
    echo "FAIL $p"; fail=1
  fi
done
# The transform is not a no-op: untransformed SKEWED gives other betas.
read -r _ _ mb _ < <(compare "p2.SKEWED.glm.linear" "raw.SKEWED.tsv.gz")
echo "SKEWED untransformed against plink2's transformed: max relative beta difference $mb"
awk -v b="$mb" 'BEGIN { exit !(b > 0.1) }' || { echo "FAIL: untransformed SKEWED matches the transformed one"; fail=1; }
# n: samples with the phenotype and both covariates (QCOV2 has one NA of its own).
n_expected=$(awk 'NR > 1 && $4 != "NA" && $5 != "NA" && $6 != "NA"' pheno.txt | wc -l)
n_seen=$(zcat k.SKEWED.tsv.gz | awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "n") c = i } NR == 2 { print $c }')
echo "SKEWED n: $n_seen (expected $n_expected)"
[ "$n_seen" -eq "$n_expected" ] || { echo "FAIL: n"; fail=1; }

# R: the rank-based inverse normal over the samples with the phenotype, then lm with both covariates.
awk 'NR % 180 == 0 { print $2 }' EUR_subset.bim > subset.ids
awk '{ print $2, $5 }' EUR_subset.bim > alt.alleles
plink2 --bfile EUR_subset --extract subset.ids --export A --export-allele alt.alleles --out subset >/dev/null
Rscript "$here/r/quantile_normalize_reference.R" subset.raw pheno.txt ref
for p in PHENO SKEWED; do
  read -r n mb ms < <(zcat "k.$p.tsv.gz" | awk -F'\t' -v bim=EUR_subset.bim '
    BEGIN { while ((getline line < bim) > 0) { split(line, f, "\t"); key[f[2]] = f[1] ":" f[4] ":" f[5] } }
    FILENAME != "-" { if (FNR > 1) { id = $1; sub(/_[^_]*$/, "", id); b[key[id]] = $2; s[key[id]] = $3 } next }
    FNR > 1 { id = $1 ":" $2 ":" $3; if (!(id in b) || $5 == "NA") next
      x = ($5 - b[id]) / b[id]; if (x < 0) x = -x; if (x > mb) mb = x
      x = ($6 - s[id]) / s[id]; if (x < 0) x = -x; if (x > ms) ms = x; n++ }
    END { printf "%d %.3g %.3g\n", n, mb, ms }' "ref.$p.tsv" -)
  echo "$p vs R: $n variants, max relative beta difference $mb, SE $ms"
  if [ "$n" -lt 250 ] || ! awk -v b="$mb" -v s="$ms" 'BEGIN { exit !(b <= 1e-8 && s <= 1e-8) }'; then
    echo "FAIL $p vs R"; fail=1
  fi
done
exit $fail
