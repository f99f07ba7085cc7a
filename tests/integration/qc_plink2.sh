#!/usr/bin/env bash
# kohort qc against plink2 --freq counts --missing --hardy on the real 1000 Genomes EUR subset
# (bolt-lmm-example) and on a plink2 --dummy set with 2% missing calls, with sample and variant
# subsetting and the --maf/--mac/--geno/--hwe/--mach-r2-filter/--mind filters.
# Tolerances: counts exact; frequencies relative 1e-12 against the exact count ratio from plink2's
# counts; O(HET), E(HET) and HWE p within plink2's printed 6 significant digits (relative 5e-6).
set -euo pipefail
: "${KOHORT:?}" "${KOHORT_WORK:?}"
work="$KOHORT_WORK/qc_plink2"
rm -rf "$work" && mkdir -p "$work" && cd "$work"
tar xf /usr/share/doc/bolt-lmm/examples/examples.tar.xz EUR_subset.bed EUR_subset.bim EUR_subset.fam
plink2 --silent --dummy 600 3000 0.02 acgt --make-bed --out dummy >/dev/null

fail=0
# compare NAME KOHORT_FILE PLINK_FILE AWK_PROGRAM: the program sees k[] (kohort row) and p[] (plink2 row).
compare() {
  local name=$1 kfile=$2 pfile=$3 program=$4
  local report
  report=$(awk -F'\t' -v name="$name" '
    function rel(a, b) { return (a == b) ? 0 : ((a - b) < 0 ? b - a : a - b) / ((b < 0 ? -b : b) > 1e-300 ? (b < 0 ? -b : b) : 1e-300) }
    function check_exact(what, a, b) { if (a != b) { bad++; if (bad <= 5) printf "  %s row %d %s: kohort %s plink2 %s\n", name, FNR, what, a, b } }
    function check_rel(what, a, b, tol,   r) { r = rel(a + 0, b + 0); if (r > worst[what]) worst[what] = r;
      if (r > tol) { bad++; if (bad <= 5) printf "  %s row %d %s: kohort %s plink2 %s (rel %.3g)\n", name, FNR, what, a, b, r } }
    NR == FNR { if (FNR > 1) krow[FNR] = $0; nk = FNR; next }
    FNR == 1 { next }
    { split(krow[FNR], k, "\t"); split($0, p, "\t"); rows++; '"$program"' }
    END { if (rows != nk - 1) { bad++; printf "  %s: %d kohort rows vs %d plink2 rows\n", name, nk - 1, rows }
          printf "%s: %d rows compared, %d mismatches", name, rows, bad;
          for (w in worst) printf "; max rel %s %.3g", w, worst[w]; printf "\n"; exit(bad > 0) }
  ' "$kfile" "$pfile") || { echo "$report"; fail=1; return; }
  echo "$report"
}

run_set() {
  local tag=$1; shift
  "$KOHORT" --quiet qc "$@" --out "k_$tag"
  "$KOHORT" --quiet qc "$@" --hwe-midp --out "k_${tag}_midp"
  local plink_args=("$@")
  plink2 --silent "${plink_args[@]}" --freq counts --missing --hardy --out "p_$tag" >/dev/null
  plink2 --silent "${plink_args[@]}" --hardy midp --out "p_${tag}_midp" >/dev/null
  # kohort vqc: 1 CHROM 2 POS 3 ID 4 REF 5 ALT 6 HOM_REF 7 HET 8 HOM_ALT 9 MISSING 10 OBS 11 ALT_CT 12 ALLELE_OBS
  #             13 ALT_FREQ 14 F_MISS 15 O_HET 16 E_HET 17 P_HWE 18 MACH_R2
  # plink2 .acount: CHROM ID REF ALT ALT_CTS OBS_CT
  compare "$tag acount" "k_$tag.vqc.tsv" "p_$tag.acount" '
    check_exact("ID", k[3], p[2]); check_exact("REF", k[4], p[3]); check_exact("ALT", k[5], p[4]);
    check_exact("ALT_CT", k[11], p[5]); check_exact("ALLELE_OBS_CT", k[12], p[6]);
    if (p[6] > 0) check_rel("ALT_FREQ", k[13], p[5] / p[6], 1e-12)'
  # .vmiss: CHROM ID MISSING_CT OBS_CT F_MISS
  compare "$tag vmiss" "k_$tag.vqc.tsv" "p_$tag.vmiss" '
    check_exact("MISSING_CT", k[9], p[3]); check_exact("SAMPLES", k[9] + k[10], p[4]);
    check_rel("F_MISS", k[14], p[5], 5e-6)'
  # .hardy: CHROM ID A1(=REF) AX HOM_A1_CT HET_A1_CT TWO_AX_CT O(HET) E(HET) P
  compare "$tag hardy" "k_$tag.vqc.tsv" "p_$tag.hardy" '
    check_exact("A1", k[4], p[3]); check_exact("HOM_REF_CT", k[6], p[5]); check_exact("HET_CT", k[7], p[6]);
    check_exact("HOM_ALT_CT", k[8], p[7]); check_rel("O_HET", k[15], p[8], 5e-6);
    check_rel("E_HET", k[16], p[9], 5e-6); check_rel("P_HWE", k[17], p[10], 5e-6)'
  compare "$tag hardy midp" "k_${tag}_midp.vqc.tsv" "p_${tag}_midp.hardy" 'check_rel("P_HWE_MIDP", k[17], p[10], 5e-6)'
  # .afreq with cols=chrom,machr2: CHROM ID MACH_R2 (nan for a monomorphic variant; kohort 18 MACH_R2)
  plink2 --silent "${plink_args[@]}" --freq cols=chrom,machr2 --out "p_${tag}_r2" >/dev/null
  compare "$tag machr2" "k_$tag.vqc.tsv" "p_${tag}_r2.afreq" '
    check_exact("ID", k[3], p[2]);
    if (p[3] == "nan" || p[3] == "NA") check_exact("MACH_R2", k[18], "NA"); else check_rel("MACH_R2", k[18], p[3], 5e-6)'
  # .smiss: FID IID PHENO1 MISSING_CT OBS_CT F_MISS; kohort sqc: FID IID MISSING_CT OBS_CT F_MISS HET_CT F_HET
  compare "$tag smiss" "k_$tag.sqc.tsv" "p_$tag.smiss" '
    check_exact("IID", k[2], p[2]); check_exact("MISSING_CT", k[3], p[4]); check_exact("VARIANTS", k[3] + k[4], p[5]);
    check_rel("F_MISS", k[5], p[6], 5e-6)'
}

run_set eur --bfile EUR_subset
run_set dummy --bfile dummy

# A genomic range (--chr --from-bp --to-bp) and a chromosome list.
run_set range --bfile EUR_subset --chr 18 --from-bp 1000000 --to-bp 5000000
run_set chroms --bfile EUR_subset --chr 20,22

# Subsetting: every third sample removed, every other variant kept, one variant excluded.
awk 'NR % 3 == 0 { print $1, $2 }' dummy.fam > remove.txt
awk 'NR % 2 == 0 { print $2 }' dummy.bim > extract.txt
awk 'NR == 10 { print $2 }' dummy.bim > exclude.txt
awk 'NR <= 500 { print $2 }' dummy.fam | sed '1i #IID' > keep.txt
run_set subset --bfile dummy --keep keep.txt --remove remove.txt --extract extract.txt --exclude exclude.txt

# Identical output at any thread count.
"$KOHORT" --quiet --threads 1 qc --bfile dummy --out k_t1
"$KOHORT" --quiet --threads 3 qc --bfile dummy --out k_t3
if cmp -s k_t1.vqc.tsv k_t3.vqc.tsv && cmp -s k_t1.sqc.tsv k_t3.sqc.tsv && cmp -s k_t1.vqc.tsv k_dummy.vqc.tsv; then
  echo "threads 1 and 3: identical output"
else
  echo "output differs between thread counts"; fail=1
fi

# Filters: kohort's lists equal plink2's (each filter kind on its own; plink2 applies --mind first).
"$KOHORT" --quiet qc --bfile dummy --maf 0.2 --mac 250 --geno 0.025 --hwe 0.01 --out k_filter
plink2 --silent --bfile dummy --maf 0.2 --mac 250 --geno 0.025 --hwe 0.01 --write-snplist --out p_filter >/dev/null
if cmp -s k_filter.extract p_filter.snplist; then
  echo "variant filters: $(wc -l < k_filter.extract) of 3000 variants kept, same as plink2"
else
  echo "variant filters differ: kohort $(wc -l < k_filter.extract), plink2 $(wc -l < p_filter.snplist)"; fail=1
fi
# --mach-r2-filter on hard calls (their r-squared is about 1 - F, the inbreeding coefficient).
"$KOHORT" --quiet qc --bfile dummy --mach-r2-filter 0.97 1.02 --out k_r2filter
plink2 --silent --bfile dummy --mach-r2-filter 0.97 1.02 --write-snplist --out p_r2filter >/dev/null
if cmp -s k_r2filter.extract p_r2filter.snplist && [ "$(wc -l < k_r2filter.extract)" -lt 3000 ]; then
  echo "--mach-r2-filter: $(wc -l < k_r2filter.extract) of 3000 variants kept, same as plink2"
else
  echo "--mach-r2-filter lists differ: kohort $(wc -l < k_r2filter.extract), plink2 $(wc -l < p_r2filter.snplist)"; fail=1
fi
"$KOHORT" --quiet qc --bfile dummy --mind 0.02 --out k_mind
plink2 --silent --bfile dummy --mind 0.02 --write-samples --out p_mind >/dev/null
if diff <(tail -n +2 k_mind.keep) <(tail -n +2 p_mind.id) >/dev/null; then
  echo "--mind: $(($(wc -l < k_mind.keep) - 1)) of 600 samples kept, same as plink2"
else
  echo "--mind lists differ: kohort $(wc -l < k_mind.keep), plink2 $(wc -l < p_mind.id)"; fail=1
fi
# plink2 reads kohort's lists back.
plink2 --silent --bfile dummy --keep k_mind.keep --extract k_filter.extract --make-bed --out filtered >/dev/null
echo "plink2 accepted kohort's lists: $(wc -l < filtered.fam) samples, $(wc -l < filtered.bim) variants"
[ "$(wc -l < filtered.bim)" -eq "$(wc -l < k_filter.extract)" ] || fail=1
exit $fail
