#!/usr/bin/env bash
# kohort qc on the sex chromosomes and MT against plink2 --freq counts --missing --hardy, on the
# real 1000 Genomes EUR subset (bolt-lmm-example) with chromosomes 19-22 renamed XY, MT, X and Y,
# the .fam's sexes and every 10th sample's sex unknown. The data keep their heterozygous calls in
# males on "X" and "Y" and on "MT", which plink2 counts as half an ALT allele of one.
# As plink2: chrY counts males only; haploid calls (males on X and Y, everyone on MT) are one
# allele; chrX's O(HET), E(HET) describe the females, and its Hardy-Weinberg p is Graffelman and
# Weir's exact test (females' genotypes, males' alleles); chrY and MT have none and pass --hwe.
# Tolerances: counts exact; O(HET), E(HET), P within plink2's 6 printed digits (relative 5e-6).
set -euo pipefail
: "${KOHORT:?}" "${KOHORT_WORK:?}"
work="$KOHORT_WORK/qc_sex_chromosomes_vs_plink2"
rm -rf "$work" && mkdir -p "$work" && cd "$work"
tar xf /usr/share/doc/bolt-lmm/examples/examples.tar.xz EUR_subset.bed EUR_subset.bim EUR_subset.fam
cp EUR_subset.bed sx.bed
awk 'BEGIN { OFS = "\t"; name[19] = "XY"; name[20] = "MT"; name[21] = "X"; name[22] = "Y" }
     $1 in name { $1 = name[$1] } { print }' EUR_subset.bim > sx.bim
awk 'NR % 10 == 0 { $5 = 0 } { print }' EUR_subset.fam > sx.fam

"$KOHORT" --quiet qc --bfile sx --out k
plink2 --silent --bfile sx --freq counts --missing --hardy --out p >/dev/null
"$KOHORT" --quiet qc --bfile sx --hwe-midp --out k_midp
plink2 --silent --bfile sx --hardy midp --out p_midp >/dev/null

fail=0
# compare NAME PLINK_FILE KEY_COLUMN AWK_PROGRAM: rows matched on variant (or sample) id; the
# program sees k[] (kohort's row) and p[] (plink2's).
compare() {
  local name=$1 kfile=$2 pfile=$3 key=$4 program=$5
  local report
  report=$(awk -F'\t' -v name="$name" -v key="$key" '
    function rel(a, b) { return (a == b) ? 0 : ((a - b) < 0 ? b - a : a - b) / ((b < 0 ? -b : b) > 1e-300 ? (b < 0 ? -b : b) : 1e-300) }
    function check_exact(what, a, b) { if (a != b) { bad++; if (bad <= 5) printf "  %s %s %s: kohort %s plink2 %s\n", name, id, what, a, b } }
    function check_rel(what, a, b, tol,   r) { r = rel(a + 0, b + 0); if (r > worst[what]) worst[what] = r;
      if (r > tol) { bad++; if (bad <= 5) printf "  %s %s %s: kohort %s plink2 %s (rel %.3g)\n", name, id, what, a, b, r } }
    NR == FNR { if (FNR > 1) krow[$(key == "variant" ? 3 : 2)] = $0; next }
    FNR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    { id = $col[key == "variant" ? "ID" : "IID"]; if (!(id in krow)) { bad++; next }
      split(krow[id], k, "\t"); split($0, p, "\t"); if (key == "variant") rows[$1]++; n++; '"$program"' }
    END { printf "%s: %d rows compared (", name, n; sep = ""; for (c in rows) { printf "%s%s %d", sep, c, rows[c]; sep = ", " }
          printf "), %d mismatches", bad; for (w in worst) printf "; max rel %s %.3g", w, worst[w]; printf "\n"; exit(bad > 0 || n == 0) }
  ' "$kfile" "$pfile") || { echo "$report"; echo "FAIL $name"; fail=1; return; }
  echo "ok   $report"
}
# kohort vqc: 1 CHROM 2 POS 3 ID 4 REF 5 ALT 6 HOM_REF 7 HET 8 HOM_ALT 9 MISSING 10 OBS 11 ALT_CT 12 ALLELE_OBS
#             13 ALT_FREQ 14 F_MISS 15 O_HET 16 E_HET 17 P_HWE
compare "allele counts (.acount)" k.vqc.tsv p.acount variant '
  check_exact("ALT_CTS", k[11], p[col["ALT_CTS"]]); check_exact("OBS_CT", k[12], p[col["OBS_CT"]])
  if (p[col["OBS_CT"]] > 0) check_rel("ALT_FREQ", k[13], p[col["ALT_CTS"]] / p[col["OBS_CT"]], 1e-12)'
compare "variant missingness (.vmiss)" k.vqc.tsv p.vmiss variant '
  check_exact("MISSING_CT", k[9], p[col["MISSING_CT"]]); check_exact("SAMPLES", k[9] + k[10], p[col["OBS_CT"]])
  check_rel("F_MISS", k[14], p[col["F_MISS"]], 5e-6)'
compare "Hardy-Weinberg, autosomes and XY (.hardy)" k.vqc.tsv p.hardy variant '
  check_exact("HOM_REF_CT", k[6], p[col["HOM_A1_CT"]]); check_exact("HET_CT", k[7], p[col["HET_A1_CT"]])
  check_rel("O_HET", k[15], p[col["O(HET_A1)"]], 5e-6); check_rel("E_HET", k[16], p[col["E(HET_A1)"]], 5e-6)
  check_rel("P", k[17], p[col["P"]], 5e-6)'
compare "chrX females (.hardy.x)" k.vqc.tsv p.hardy.x variant '
  check_rel("O_HET", k[15], p[col["O(FEMALE_HET_A1)"]], 5e-6); check_rel("E_HET", k[16], p[col["E(FEMALE_HET_A1)"]], 5e-6)'
compare "chrX Hardy-Weinberg p (Graffelman-Weir)" k.vqc.tsv p.hardy.x variant 'check_rel("P", k[17], p[col["P"]], 5e-6)'
compare "chrX Hardy-Weinberg mid-p" k_midp.vqc.tsv p_midp.hardy.x variant 'check_rel("MIDP", k[17], p[col["MIDP"]], 5e-6)'
compare "sample missingness (.smiss)" k.sqc.tsv p.smiss sample '
  check_exact("MISSING_CT", k[3], p[col["MISSING_CT"]]); check_exact("VARIANTS", k[3] + k[4], p[col["OBS_CT"]])
  check_rel("F_MISS", k[5], p[col["F_MISS"]], 5e-6)'
awk -F'\t' '($1 == "Y" || $1 == "MT") && ($15 != "NA" || $16 != "NA" || $17 != "NA") { bad = 1 } END { exit bad }' k.vqc.tsv \
  || { echo "FAIL: chrY or MT has a Hardy-Weinberg test"; fail=1; }

# Filters: --hwe keeps chrY and MT (no test) and tests chrX in females; --maf on chrY is the males'.
"$KOHORT" --quiet qc --bfile sx --hwe 1e-6 --maf 0.05 --out kf
expected=$(awk -F'\t' 'NR > 1 { f = $13; maf = f < 1 - f ? f : 1 - f
                                if (maf >= 0.05 && ($17 == "NA" || $17 >= 1e-6)) print $3 }' k.vqc.tsv | wc -l)
kept=$(wc -l < kf.extract)
y_kept=$(awk 'NR == FNR { if ($1 == "Y") y[$2] = 1; next } $1 in y' sx.bim kf.extract | wc -l)
echo "filters: $kept variants kept ($y_kept on chrY), expected $expected"
if [ "$kept" -ne "$expected" ] || [ "$y_kept" -le 1000 ]; then echo "FAIL: filter lists"; fail=1; fi

exit $fail
