#!/usr/bin/env bash
# kohort gwas variant filters (--maf --mac --geno --hwe --hwe-midp, --chr --from-bp --to-bp) and
# the row filter --pfilter against the same filters in plink2 --glm on the 1000 Genomes EUR subset (Debian's
# bolt-lmm-example): both must test exactly the same variants, with betas within relative 1e-5
# (plink2's 6 digits). The subset has no missing calls, so --geno runs on a copy of chr21-22 with
# 0-5% of each variant's calls blanked.
set -euo pipefail
: "${KOHORT:?path of the kohort binary}" "${KOHORT_WORK:=/tmp/kohort-test-work}"
"$KOHORT_SOURCE_DIR/scripts/install-deps" test >/dev/null
work="$KOHORT_WORK/gwas_filters_vs_plink2"
rm -rf "$work" && mkdir -p "$work" && cd "$work"
tar xJf "$(dpkg -L bolt-lmm-example | grep 'examples.tar.xz$')" EUR_subset.bed EUR_subset.bim EUR_subset.fam EUR_subset.pheno.covars
awk 'NR == 1 { print "FID IID PHENO QCOV1 QCOV2"; next } { print $1, $2, $3, $4, $5 }' EUR_subset.pheno.covars > pheno.txt

# chr21-22 with missing calls: variant v loses the calls of samples where (7 i + 13 v) mod 100 is
# below v mod 6 (a rate of 0 to 5%); the .fam stays the original's (VCF import drops FID and sex).
plink2 --bfile EUR_subset --chr 21-22 --export vcf --out chr21_22 >/dev/null
awk -F'\t' 'BEGIN { OFS = "\t" } /^#/ { print; next }
  { v++; for (i = 10; i <= NF; i++) if ((i * 7 + v * 13) % 100 < v % 6) $i = "./."; print }' chr21_22.vcf > missing.vcf
plink2 --vcf missing.vcf --make-bed --out missing >/dev/null
cp EUR_subset.fam missing.fam

fail=0
compare() {  # name, plink2 filters, kohort filters[, fileset]
  local name=$1 p2=$2 k=$3 bfile=${4:-EUR_subset}
  # shellcheck disable=SC2086
  plink2 --bfile "$bfile" --pheno pheno.txt --pheno-name PHENO --covar pheno.txt --covar-name QCOV1,QCOV2 \
    $p2 --glm hide-covar omit-ref --out "p2_$name" >/dev/null
  # shellcheck disable=SC2086
  "$KOHORT" -q gwas --bfile "$bfile" --pheno pheno.txt --pheno-col PHENO --covar pheno.txt --covar-col QCOV1,QCOV2 \
    --missing-genotypes exclude $k --out "k_$name" >/dev/null
  read -r both only_one mb < <(zcat "k_$name.PHENO.tsv.gz" | awk -F'\t' '
    FILENAME != "-" && FNR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    FILENAME != "-" { b[$1 ":" $2 ":" $col["A1"]] = $col["BETA"]; next }
    FNR == 1 { next }
    { k = $1 ":" $2 ":" $3; if (!(k in b)) { other++; next }
      seen[k] = 1; n++; if ($5 == "NA" || b[k] == "NA") next
      x = ($5 - b[k]) / b[k]; if (x < 0) x = -x; if (x > m) m = x }
    END { for (k in b) if (!(k in seen)) other++; printf "%d %d %.3g\n", n, other, m }' "p2_$name.PHENO.glm.linear" -)
  echo "$name: $both variants tested by both, $only_one by one only, max relative beta difference $mb"
  total=$(wc -l < "$bfile.bim")
  if [ "$only_one" -ne 0 ] || [ "$both" -eq 0 ] || [ "$both" -ge "$total" ] || ! awk -v m="$mb" 'BEGIN { exit !(m <= 1e-5) }'; then
    echo "FAIL $name"; fail=1
  fi
}
compare maf "--maf 0.05" "--maf 0.05"
compare mac_hwe "--mac 30 --hwe 1e-3" "--mac 30 --hwe 1e-3"
compare hwe_midp "--hwe 1e-2 midp" "--hwe 1e-2 --hwe-midp"
compare geno "--geno 0.02" "--geno 0.02" missing
compare geno_maf_hwe "--geno 0.03 --maf 0.2 --hwe 1e-2" "--geno 0.03 --maf 0.2 --hwe 1e-2" missing
compare range "--chr 18 --from-bp 20000000 --to-bp 40000000 --maf 0.01" "--chr 18 --from-bp 20000000 --to-bp 40000000 --maf 0.01"
# --pfilter writes only the rows with p at or below it (none without a p-value), as plink2 does.
compare pfilter "--pfilter 1e-3" "--pfilter 1e-3"
compare pfilter_maf "--pfilter 0.05 --maf 0.3" "--pfilter 0.05 --maf 0.3"

# Filters that leave nothing: an error naming the genotypes, no output.
if "$KOHORT" -q gwas --bfile EUR_subset --pheno pheno.txt --pheno-col PHENO --mac 100000 --out none 2> none.err; then
  echo "FAIL: --mac 100000 left variants"; fail=1
fi
grep -q 'EUR_subset.*no variants pass the variant filters' none.err || { echo "FAIL: error message"; cat none.err; fail=1; }
if compgen -G 'none*' | grep -qv 'none.err'; then echo "FAIL: output written"; fail=1; fi
exit $fail
