#!/usr/bin/env bash
# kohort's default binary test, the score test with its saddlepoint approximation (SPA) where
# |z| > 2, against a reference written in R from the formulas alone (r/score_spa_reference.R:
# glm's null model, uniroot's saddlepoints), on the real 1000 Genomes EUR subset (Debian's
# bolt-lmm-example) with an unbalanced case/control trait (the top 5% of its phenotype are cases),
# where SPA moves p-values the most. Firth is switched off (--firth-threshold 0) so that every
# variant reports its score or SPA p-value. Compared: every variant kohort tests with |z| > 2 and
# every 50th of the others; on the subset as it is (no missing calls) and on a copy with 1% of its
# calls missing, replaced by the variant's mean among the phenotype's samples (kohort's default).
# Then, with Firth on as by default, every 10th variant that Firth takes over (score-test p < 0.05)
# against brglm2 and the penalised likelihood-ratio test (its null under the full design's
# penalty), the same for the approximate fits of --firth-approx; and that
# --missing-genotypes exclude, which the score test cannot honour, warns and changes nothing.
# Tolerances: beta, SE and -log10 p relative 1e-8 (on 2026-12-07 the largest differences were
# 5e-10: the null models agree to about that, and kohort stops its steps at 1e-10 relative).
set -euo pipefail
: "${KOHORT:?path of the kohort binary}" "${KOHORT_WORK:=/tmp/kohort-test-work}"
here=$(cd "$(dirname "$0")" && pwd)
"$KOHORT_SOURCE_DIR/scripts/install-deps" test >/dev/null
work="$KOHORT_WORK/gwas_score_spa_vs_r"
rm -rf "$work" && mkdir -p "$work" && cd "$work"
tarball=$(dpkg -L bolt-lmm-example | grep 'examples.tar.xz$')
tar xJf "$tarball" EUR_subset.bed EUR_subset.bim EUR_subset.fam EUR_subset.pheno.covars
cp EUR_subset.bed eur.bed; cp EUR_subset.bim eur.bim; cp EUR_subset.fam eur.fam

# Cases: the top 5% of the phenotype (PLINK 1/2 coding).
threshold=$(awk 'NR > 1 && $3 != "NA" && $3 != -9 { print $3 }' EUR_subset.pheno.covars | sort -g |
  awk '{ v[NR] = $1 } END { print v[int(NR * 0.95)] }')
awk -v t="$threshold" 'NR == 1 { print "FID IID CASE5 QCOV1 QCOV2"; next }
  { c = ($3 == "NA" || $3 == -9) ? "NA" : ($3 > t ? 2 : 1); print $1, $2, c, $4, $5 }' EUR_subset.pheno.covars > pheno.txt

Rscript "$here/r/with_missing_calls.R" eur eurm 0.01 3  # the subset has no missing calls: a copy with 1%
awk '{ print $2, $5 }' eur.bim > alt.alleles  # R counts the ALT allele, as kohort does

fail=0
check() {  # check NAME VALUE LIMIT
  if awk -v v="$2" -v l="$3" 'BEGIN { exit !(v <= l) }'; then echo "ok   $1: $2 <= $3"; else echo "FAIL $1: $2 > $3"; fail=1; fi
}
for set in eur eurm; do
  "$KOHORT" -q gwas --bfile "$set" --pheno pheno.txt --pheno-col CASE5 --covar pheno.txt --covar-col QCOV1,QCOV2 \
    --firth-threshold 0 --out "k_$set" >/dev/null
  # The variants with |z| > 2 (spa, or score where the approximation is undefined) and every 50th
  # of the rest, by kohort's position key.
  zcat "k_$set.CASE5.tsv.gz" | awk -F'\t' -v bim=eur.bim '
    BEGIN { while ((getline line < bim) > 0) { split(line, f, "\t"); id_at[f[1] ":" f[4]] = f[2] } }
    NR > 1 && $5 != "NA" { z = $5 / $6; if (z < 0) z = -z; if (z > 2 || ++other % 50 == 0) print id_at[$1 ":" $2] }' > "$set.ids"
  plink2 --bfile "$set" --extract "$set.ids" --export A --export-allele alt.alleles --out "chosen_$set" >/dev/null
  Rscript "$here/r/score_spa_reference.R" "chosen_$set.raw" pheno.txt CASE5 "ref_$set.tsv"
  # "count spa_count maxbeta maxse maxlogp mismatched_methods"
  read -r n spa mb ms ml mm < <(zcat "k_$set.CASE5.tsv.gz" | awk -F'\t' -v bim=eur.bim '
    BEGIN { while ((getline line < bim) > 0) { split(line, f, "\t"); key[f[2]] = f[1] ":" f[4] } }
    FILENAME != "-" { if (FNR > 1) { id = $1; sub(/_[^_]*$/, "", id); b[key[id]] = $2; s[key[id]] = $3; l[key[id]] = $4; m[key[id]] = $5 } next }
    FNR > 1 { id = $1 ":" $2; if (!(id in b)) next
      x = ($5 - b[id]) / b[id]; if (x < 0) x = -x; if (x > mb) mb = x
      x = ($6 - s[id]) / s[id]; if (x < 0) x = -x; if (x > ms) ms = x
      x = ($9 - l[id]) / l[id]; if (x < 0) x = -x; if (x > ml) ml = x
      if ($15 != m[id]) mm++
      spa += $15 == "spa"; n++ }
    END { printf "%d %d %.3g %.3g %.3g %d\n", n, spa, mb, ms, ml, mm }' "ref_$set.tsv" -)
  label=$([ "$set" = eur ] && echo "no missing calls" || echo "1% missing calls, mean-imputed")
  echo "score test and SPA vs R, $label: $n variants, $spa of them by SPA"
  check "max relative beta difference" "$mb" 1e-8
  check "max relative SE difference" "$ms" 1e-8
  check "max relative -log10 p difference" "$ml" 1e-8
  check "variants whose method (score or spa) differs" "$mm" 0
  [ "$n" -ge 500 ] && [ "$spa" -ge 100 ] || { echo "FAIL: too few variants compared ($n, $spa by SPA)"; fail=1; }
done
# The score test keeps one null model for all the samples, so --missing-genotypes exclude cannot
# reach it: kohort says so, and the results are the mean-imputed ones.
"$KOHORT" gwas --bfile eurm --pheno pheno.txt --pheno-col CASE5 --covar pheno.txt --covar-col QCOV1,QCOV2 \
  --firth-threshold 0 --missing-genotypes exclude --out k_exclude 2>exclude.log >/dev/null
same=0; cmp -s <(zcat k_exclude.CASE5.tsv.gz) <(zcat k_eurm.CASE5.tsv.gz) || same=1
warned=0; grep -q "warning: --missing-genotypes exclude applies to the quantitative phenotypes" exclude.log || warned=1
check "--missing-genotypes exclude: warned (0 yes)" "$warned" 0
check "--missing-genotypes exclude: the score test's file equals the mean-imputed one (0 yes)" "$same" 0

# With Firth on (the default: score-test p < 0.05), those variants report Firth's beta and SE and
# the p-value of its penalised likelihood-ratio test: every 10th of them against brglm2 and the
# penalised log-likelihoods (r/firth_lrt_reference.R); with --firth-approx, the approximate fits.
compare_firth() {  # label, method (the test column), kohort flags..., then R reference flags after --
  local label=$1 method=$2; shift 2
  local flags=() reference=()
  while [ "$#" -gt 0 ] && [ "$1" != -- ]; do flags+=("$1"); shift; done
  [ "$#" -gt 0 ] && shift && reference=("$@")
  "$KOHORT" -q gwas --bfile eur --pheno pheno.txt --pheno-col CASE5 --covar pheno.txt --covar-col QCOV1,QCOV2 "${flags[@]}" \
    --out "k_$method" >/dev/null
  zcat "k_$method.CASE5.tsv.gz" | awk -F'\t' -v bim=eur.bim -v method="$method" '
    BEGIN { while ((getline line < bim) > 0) { split(line, f, "\t"); id_at[f[1] ":" f[4]] = f[2] } }
    NR > 1 && $15 == method && ++firth % 10 == 0 { print id_at[$1 ":" $2] }' > "$method.ids"
  plink2 --bfile eur --extract "$method.ids" --export A --export-allele alt.alleles --out "chosen_$method" >/dev/null
  Rscript "$here/r/firth_lrt_reference.R" "chosen_$method.raw" pheno.txt CASE5 "ref_$method.tsv" "${reference[@]}"
  read -r n mb ms ml < <(zcat "k_$method.CASE5.tsv.gz" | awk -F'\t' -v bim=eur.bim -v method="$method" '
    BEGIN { while ((getline line < bim) > 0) { split(line, f, "\t"); key[f[2]] = f[1] ":" f[4] } }
    FILENAME != "-" { if (FNR > 1) { id = $1; sub(/_[^_]*$/, "", id); b[key[id]] = $2; s[key[id]] = $3; l[key[id]] = $4 } next }
    FNR > 1 { id = $1 ":" $2; if (!(id in b) || $15 != method) next
      x = ($5 - b[id]) / b[id]; if (x < 0) x = -x; if (x > mb) mb = x
      x = ($6 - s[id]) / s[id]; if (x < 0) x = -x; if (x > ms) ms = x
      x = ($9 - l[id]) / l[id]; if (x < 0) x = -x; if (x > ml) ml = x
      n++ }
    END { printf "%d %.3g %.3g %.3g\n", n, mb, ms, ml }' "ref_$method.tsv" -)
  echo "$label: $n variants"
  check "max relative beta difference" "$mb" 1e-8
  check "max relative SE difference" "$ms" 1e-8
  check "max relative -log10 p difference" "$ml" 1e-8
  [ "$n" -ge 100 ] || { echo "FAIL: too few $method variants compared ($n)"; fail=1; }
}
compare_firth "Firth below p 0.05 vs R brglm2 and the penalised likelihood-ratio test" firth
compare_firth "approximate Firth (--firth-approx) vs R brglm2 with an offset" firth_approx --firth-approx -- --approx
# SPA is worth it here: for rare variants it moves -log10 p well away from the normal approximation's.
moved=$(awk -F'\t' 'NR > 1 && $5 == "spa" { x = $6 - $4; if (x < 0) x = -x; if (x > m) m = x } END { printf "%.3g\n", m }' ref_eur.tsv)
echo "largest change of -log10 p by SPA: $moved"
awk -v m="$moved" 'BEGIN { exit !(m > 0.1) }' || { echo "FAIL: SPA barely moved any p-value"; fail=1; }
[ "$fail" -eq 0 ] && echo PASS || exit 1
