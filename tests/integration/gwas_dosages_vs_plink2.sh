#!/usr/bin/env bash
# Imputed dosages against plink2: kohort gwas's info column (MaCH's r-squared of the dosages) and
# --mach-r2-filter against plink2 --glm cols=+machr2 and plink2 --mach-r2-filter; --maf and --mac,
# which count the dosages' alleles as plink2 does, and kohort qc's frequencies against plink2
# --freq. On imputation-like dosages: plink2 --dummy with
# 40% of the calls fractional and 1% missing, each phenotype missing for its own 5% of the samples,
# read by both tools from the same BGEN (8-bit, as UK Biobank ships it) and VCF (DS).
# Tolerance: 2e-5 absolute. plink2 prints 6 significant digits (up to 5e-6 for values near 1) and
# rounds each dosage to 1/16384 (BGEN's 8-bit probabilities are multiples of 1/255): together at
# most 9.3e-6 here.
# r-squared is over each phenotype's samples with a dosage, whether the model drops the others
# (exclude) or imputes them (mean); both tools leave it out on chrX.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${KOHORT:?path of the kohort binary}" "${KOHORT_WORK:=/tmp/kohort-test-work}"
"$KOHORT_SOURCE_DIR/scripts/install-deps" test >/dev/null
work="$KOHORT_WORK/gwas_dosages_vs_plink2"
rm -rf "$work" && mkdir -p "$work" && cd "$work"
# shellcheck source=lib/eur_gwas.sh
. "$here/lib/eur_gwas.sh"  # check

plink2 --dummy 3000 4000 0.01 0.05 dosage-freq=0.4 acgt scalar-pheno pheno-ct=2 --seed 7 --out dummy >/dev/null
# Q: quantitative; B: case/control (1/2) from the second phenotype, its missing values kept.
awk 'NR == 1 { print "#IID\tQ\tB"; next }
     { b = $4 == "NA" ? "NA" : ($4 > 0.8 ? 2 : 1); print $1 "\t" $3 "\t" b }' dummy.psam > pheno.txt
plink2 --pfile dummy --export bgen-1.2 bits=8 ref-first --out dosages >/dev/null
# The .sample without its phenotype columns: plink2 cannot read back their NA (and needs none).
awk '{ print $1, $2, $3, $4 }' dosages.sample > dosages.sample.new && mv dosages.sample.new dosages.sample
plink2 --pfile dummy --export vcf vcf-dosage=DS --out dosages >/dev/null
# The same VCF with its last 300 variants on chrX: no r-squared there.
awk 'BEGIN { OFS = "\t" } /^#CHROM/ { print "##contig=<ID=X>" } /^#/ { print; next } { if (++v > 3700) $1 = "X"; print }' dosages.vcf > dosages_x.vcf

# -> "count max-difference NA-in-one-only"; rows matched on position, ALT (plink2's A1) and test.
compare_info() {  # plink2 file, kohort file, plink2's TEST
  zcat "$2" | awk -F'\t' -v test="$3" '
    FNR == 1 && FILENAME != "-" { for (i = 1; i <= NF; i++) col[$i] = i; next }
    FILENAME != "-" { if ($col["TEST"] != test) next; r[$col["POS"] ":" $col["A1"]] = $col["MACH_R2"]; next }
    FNR == 1 { for (i = 1; i <= NF; i++) kc[$i] = i; next }
    { id = $2 ":" $3; if (!(id in r)) next
      mine = $kc["info"]; theirs = r[id]
      if (mine == "NA" || theirs == "NA" || theirs == "nan") { if ((mine == "NA") != (theirs == "NA" || theirs == "nan")) bad++; next }
      x = mine - theirs; if (x < 0) x = -x; if (x > m) m = x; n++ }
    END { printf "%d %.3g %d\n", n, m, bad + 0 }' "$1" -
}

run_pair() {  # label, plink2 input flags, kohort input flags, phenotype, plink2 --glm modifiers, kohort flags
  local label=$1 plink_in=$2 kohort_in=$3 pheno=$4 glm=$5 extra=$6 test=ADD
  [ "$glm" = dominant ] && test=DOM
  # shellcheck disable=SC2086
  plink2 $plink_in --pheno pheno.txt --pheno-name "$pheno" --glm allow-no-covars omit-ref cols=+machr2 $glm \
    --out "p2_$label" >/dev/null
  # shellcheck disable=SC2086
  "$KOHORT" -q gwas $kohort_in --pheno pheno.txt --pheno-col "$pheno" $extra --out "k_$label" >/dev/null
  read -r n m bad < <(compare_info "$(ls "p2_$label.$pheno".glm.*)" "k_$label.$pheno.tsv.gz" "$test")
  echo "$label: $n variants"
  check "  max |info - MACH_R2|" "$m" 2e-5
  check "  NA in one only" "$bad" 0
  [ "$n" -gt 3900 ] || { echo "FAIL: only $n variants compared"; fail=1; }
}
bgen_plink="--bgen dosages.bgen ref-first --sample dosages.sample"
bgen_kohort="--bgen dosages.bgen --sample dosages.sample"
run_pair bgen_q_mean "$bgen_plink" "$bgen_kohort" Q "" ""
run_pair bgen_q_exclude "$bgen_plink" "$bgen_kohort" Q "" "--missing-genotypes exclude"
run_pair bgen_b_score "$bgen_plink" "$bgen_kohort" B "firth-fallback" ""
run_pair bgen_b_wald "$bgen_plink" "$bgen_kohort" B "firth-fallback" "--binary-test wald --missing-genotypes exclude"
run_pair bgen_q_dominant "$bgen_plink" "$bgen_kohort" Q "dominant" "--genetic-model dominant"
run_pair vcf_q "--vcf dosages.vcf dosage=DS" "--vcf dosages.vcf" Q "" ""

# Q and B have their own samples: their r-squared differs, each equal to plink2's above.
differ=$(paste <(zcat k_bgen_q_mean.Q.tsv.gz | cut -f15) <(zcat k_bgen_b_score.B.tsv.gz | cut -f15) |
  awk -F'\t' 'NR > 1 && $1 != $2' | wc -l)
echo "variants whose info differs between Q's and B's samples: $differ"
[ "$differ" -gt 1000 ] || { echo "FAIL: the two phenotypes' samples should give different r-squared"; fail=1; }

# chrX: NA, as plink2 prints it; the autosomes keep theirs.
"$KOHORT" -q gwas --vcf dosages_x.vcf --pheno pheno.txt --pheno-col Q --out kx >/dev/null 2>&1
read -r x_rows x_na auto_values < <(zcat kx.Q.tsv.gz | awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "info") c = i; next }
  $1 == 23 { x++; na += $c == "NA" } $1 != 23 { v += $c != "NA" } END { print x, na, v }')
echo "chrX: $x_na of $x_rows rows NA; autosomes: $auto_values with a value"
[ "$x_rows" -eq 300 ] && [ "$x_na" -eq 300 ] && [ "$auto_values" -gt 3600 ] || { echo "FAIL: info on chrX"; fail=1; }
# A PLINK fileset gets no info column: its calls are not imputed.
plink2 --pfile dummy --hard-call-threshold 0.1 --make-bed --out calls >/dev/null
"$KOHORT" -q gwas --bfile calls --pheno pheno.txt --pheno-col Q --out kbed >/dev/null
if zcat kbed.Q.tsv.gz | head -1 | tr '\t' '\n' | grep -qx info; then echo "FAIL: a .bed run has an info column"; fail=1; fi

# --mach-r2-filter MIN [MAX], over all samples: the variants plink2 keeps (its ids are snp<position>).
# A variant within the tolerance of a bound could go either way: at most 2 may differ.
for bounds in "0.8 1.05" "0.95"; do
  # shellcheck disable=SC2086
  plink2 $bgen_plink --mach-r2-filter $bounds --write-snplist --out p2_filter >/dev/null
  # shellcheck disable=SC2086
  "$KOHORT" -q gwas $bgen_kohort --pheno pheno.txt --pheno-col Q --mach-r2-filter $bounds --out kfilter >/dev/null
  sed 's/^snp//' p2_filter.snplist | sort > plink_kept.txt
  zcat kfilter.Q.tsv.gz | awk -F'\t' 'NR > 1 { print $2 }' | sort > kohort_kept.txt
  one_only=$(comm -3 plink_kept.txt kohort_kept.txt | wc -l)
  echo "--mach-r2-filter $bounds: plink2 keeps $(wc -l < plink_kept.txt), kohort $(wc -l < kohort_kept.txt)"
  check "  variants kept by one only" "$one_only" 2
  kept=$(wc -l < kohort_kept.txt)
  [ "$kept" -gt 500 ] && [ "$kept" -lt 3900 ] || { echo "FAIL: the filter should keep some variants and not others"; fail=1; }
done
# --maf and --mac count the dosages' alleles (plink2 --freq's counts), not the hard calls: with 40%
# of the dosages fractional, the hard calls miss a third of the genotypes.
for filter in "--maf 0.3" "--mac 1500"; do
  for input in bgen vcf; do
    if [ "$input" = bgen ]; then plink_in=$bgen_plink kohort_in=$bgen_kohort; else plink_in="--vcf dosages.vcf dosage=DS" kohort_in="--vcf dosages.vcf"; fi
    # shellcheck disable=SC2086
    plink2 $plink_in $filter --write-snplist --out p2_filter >/dev/null
    # shellcheck disable=SC2086
    "$KOHORT" -q gwas $kohort_in --pheno pheno.txt --pheno-col Q $filter --out kfilter >/dev/null
    sed 's/^snp//' p2_filter.snplist | sort > plink_kept.txt
    zcat kfilter.Q.tsv.gz | awk -F'\t' 'NR > 1 { print $2 }' | sort > kohort_kept.txt
    echo "$input $filter: plink2 keeps $(wc -l < plink_kept.txt), kohort $(wc -l < kohort_kept.txt)"
    check "  variants kept by one only" "$(comm -3 plink_kept.txt kohort_kept.txt | wc -l)" 2
  done
done
# kohort qc's ALT_FREQ and ALLELE_OBS_CT: plink2 --freq's ALT_FREQS and OBS_CT (6 digits, and its
# dosages rounded to 1/16384: within 2e-6).
plink2 $bgen_plink --freq --out p2_freq >/dev/null
"$KOHORT" -q qc $bgen_kohort --out kqc >/dev/null
read -r n m bad < <(paste <(awk 'NR > 1 { print $5, $6 }' p2_freq.afreq) <(awk 'NR > 1 { print $13, $12 }' kqc.vqc.tsv) |
  awk '{ x = $1 - $3; if (x < 0) x = -x; if (x > m) m = x; bad += $2 != $4; n++ } END { printf "%d %.3g %d\n", n, m, bad }')
echo "qc frequencies: $n variants"
check "  max |ALT_FREQ - ALT_FREQS|" "$m" 2e-6
check "  ALLELE_OBS_CT differs from OBS_CT" "$bad" 0
[ "$n" -eq 4000 ] || { echo "FAIL: $n variants compared"; fail=1; }

# shellcheck disable=SC2086
if "$KOHORT" -q gwas $bgen_kohort --pheno pheno.txt --pheno-col Q --mach-r2-filter 0.5 0.2 --out kbad >/dev/null 2>err.txt; then
  echo "FAIL: --mach-r2-filter 0.5 0.2 was accepted"; fail=1
elif ! grep -q "expected 0 <= MIN <= MAX" err.txt; then echo "FAIL: unclear error: $(cat err.txt)"; fail=1; fi
exit "$fail"
