#!/usr/bin/env bash
# kohort gwas --adjust against plink2 --adjust and R on the real 1000 Genomes EUR subset (Debian's
# bolt-lmm-example).
# - lambda_GC (printed for every phenotype) equals R's median(qchisq(p, 1, lower.tail = FALSE)) /
#   qchisq(0.5, 1) over kohort's own p-values (relative 5e-6: kohort prints 6 digits),
#   and plink2's lambda times 0.456 / qchisq(0.5, 1) (plink divides by 0.456) on an inflated
#   phenotype (relative 1e-4: the two tools' logistic p-values agree to 1e-3 relative, and the
#   median test's p to much better).
# - The adjusted tables equal plink2's .adjusted files, column by column, every test (with --lambda
#   1.2 for both, so that the genomic control divides by the same number): linear within relative
#   1e-5 (plink2 prints 6 digits), logistic (Wald) within 1e-3 (plink2 fits in single precision),
#   leaving out the variants plink2 flags (UNFINISHED and the like; kohort fits Firth there). plink2
#   inverts p to chi-square in the genomic control with a few digits only below p = 1e-20 (rs7504254:
#   p 7.8e-39 comes back as 4.6e-33 at lambda 1.2, where R and kohort give 1.2e-32): GC is compared
#   above that.
# - With plink2's gc modifier (--adjust gc), the adjustments start from the genomic-control
#   p-values: against plink2's --adjust gc, as above (linear).
# - The adjustments equal R's p.adjust (bonferroni, holm, BH, BY) and 1 - (1 - p)^m (Sidak) of
#   kohort's own p-values (relative 1e-5), and the rows come sorted by p; p_expected, the QQ plot's
#   expected p (plink2's QQ column), is (i - 1/2) / m for the i-th of m rows.
# - --pfilter keeps the rows with p <= X, identical to the unfiltered table's first rows; the
#   tables hold the same text at 1 thread; PREFIX.summary.tsv holds each phenotype's
#   lambda_GC, also by minor allele frequency (against R, 5e-6), its tests, samples, cases and top
#   variant (against the main file); --lambda
#   without --adjust, or not above 0, and an --adjust modifier other than gc are input errors that
#   write nothing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${KOHORT:?path of the kohort binary}" "${KOHORT_WORK:=/tmp/kohort-test-work}"
"$KOHORT_SOURCE_DIR/scripts/install-deps" test >/dev/null
work="$KOHORT_WORK/gwas_adjust_vs_plink2"
rm -rf "$work" && mkdir -p "$work" && cd "$work"
# shellcheck source=lib/eur_gwas.sh
. "$here/lib/eur_gwas.sh"
prepare_eur_subset

plink2 --bfile eur --pheno pheno.txt --pheno-name PHENO,CASE --covar pheno.txt --covar-name QCOV1,QCOV2 \
  --glm hide-covar --adjust --lambda 1.2 --out p2 >/dev/null 2>&1
"$KOHORT" -q gwas --bfile eur --pheno pheno.txt --pheno-col PHENO,CASE --covar pheno.txt --covar-col QCOV1,QCOV2 \
  --missing-genotypes exclude --binary-test wald --adjust --lambda 1.2 --out k > k.out
# QCOV1 (1/2) as a case/control phenotype without covariates: inflated (plink2's lambda 1.058).
plink2 --bfile eur --pheno pheno.txt --pheno-name QCOV1 --glm allow-no-covars --adjust --out p2q >/dev/null 2>&1
"$KOHORT" -q gwas --bfile eur --pheno pheno.txt --pheno-col QCOV1 --missing-genotypes exclude --binary-test wald \
  --out kq > kq.out

# lambda_GC against R, from kohort's -log10 p column, and against plink2's.
for f in k.PHENO k.CASE kq.QCOV1; do
  printed=$(awk -v f="$f.tsv.gz" '$1 == f { print $NF }' k.out kq.out)
  r=$(zcat "$f.tsv.gz" | Rscript -e 'd <- read.delim(file("stdin")); p <- 10^-d$neg_log_10_p_value[!is.na(d$neg_log_10_p_value)]
    cat(sprintf("%.10f", median(qchisq(p, 1, lower.tail = FALSE)) / qchisq(0.5, 1)))')
  # printed with 6 significant digits
  check "lambda_GC of ${f#*.} ($printed) against R ($r), relative" "$(awk -v a="$printed" -v b="$r" 'BEGIN { d = (a - b) / b; print d < 0 ? -d : d }')" 5e-6
done
plink_lambda=$(sed -n 's/^--adjust: Genomic inflation est. lambda (based on median chisq) = \(.*\)\.$/\1/p' p2q.log)
kohort_lambda=$(awk '{ print $NF }' kq.out)
check "lambda_GC of QCOV1 ($kohort_lambda) against plink2's ($plink_lambda) x 0.456 / qchisq(0.5, 1), relative" \
  "$(awk -v a="$kohort_lambda" -v b="$plink_lambda" 'BEGIN { b *= 0.456 / 0.45493642311957283; d = (a - b) / b; print d < 0 ? -d : d }')" 1e-4

# PREFIX.summary.tsv: per phenotype, lambda_GC by minor allele frequency (R over the main file's
# frequencies and -log10 p), the tests, the samples and cases, and the top variant.
for p in PHENO CASE; do
  read -r ok detail < <(zcat "k.$p.tsv.gz" | Rscript -e '
    args <- commandArgs(TRUE)
    d <- read.delim(file("stdin")); s <- read.delim(args[1], check.names = FALSE); s <- s[s$phenotype == args[2], ]
    d <- d[!is.na(d$neg_log_10_p_value), ]
    lambda <- function(x) median(qchisq(10^-x, 1, lower.tail = FALSE)) / qchisq(0.5, 1)
    maf <- pmin(d$effect_allele_frequency, 1 - d$effect_allele_frequency)
    want <- c(lambda(d$neg_log_10_p_value), lambda(d$neg_log_10_p_value[maf < 0.01]),
              lambda(d$neg_log_10_p_value[maf >= 0.01 & maf < 0.05]), lambda(d$neg_log_10_p_value[maf >= 0.05]))
    got <- c(s$lambda_gc, s[["lambda_gc_maf_below_0.01"]], s[["lambda_gc_maf_0.01_to_0.05"]], s[["lambda_gc_maf_0.05_up"]])
    worst <- max(abs(got - want) / want)
    top <- d$variant_id[which.max(d$neg_log_10_p_value)]
    cases <- if (s$type == "binary") max(d$n_cases) else NA
    ok <- worst < 5e-6 && s$tests == nrow(d) && s$top_variant_id == top && s$n == max(d$n) &&
          identical(as.numeric(s$n_cases), as.numeric(cases)) && s[["p_below_5e-8"]] == sum(d$neg_log_10_p_value > -log10(5e-8))
    cat(if (ok) "ok" else "FAIL", sprintf("lambda_gc (all, by MAF) %s, R %s: worst relative %.3g; %d tests, top %s, n %d",
        paste(got, collapse = " "), paste(signif(want, 7), collapse = " "), worst, s$tests, s$top_variant_id, s$n), "\n")' \
    k.summary.tsv "$p")
  echo "$ok   summary of $p: $detail"
  [ "$ok" = ok ] || fail=1
done

# plink2's adjusted table against kohort's, matched on the variant id; rows of variants plink2's
# glm file flags (or fits with Firth) left out. -> "count missing max-relative-difference-per-column"
compare_adjusted() {  # plink2 glm file, plink2 .adjusted, kohort adjusted table, smallest p for GC [, smallest p for a row]
  zcat "$3" | awk -F'\t' -v min_gc="$4" -v min_row="${5:-0}" '
    FILENAME == ARGV[1] { if (FNR == 1) { for (i = 1; i <= NF; i++) col[$i] = i; next }
                          if ($col["ERRCODE"] != "." || (("FIRTH?" in col) && $col["FIRTH?"] == "Y")) flagged[$3] = 1; next }
    FILENAME == ARGV[2] { if (FNR > 1 && !($2 in flagged)) for (i = 4; i <= 11; i++) v[$2, i] = $i; next }
    FNR == 1 { next }
    { if (!(($6, 4) in v)) { if (!($6 in flagged)) missing++; next }
      if (v[$6, 4] < min_row) next
      for (i = 4; i <= 11; i++) {
        a = v[$6, i]; b = $(i + 3)
        if (i == 5 && v[$6, 4] < min_gc) continue
        d = (a - b) / a; if (d < 0) d = -d; if (d > m[i]) m[i] = d }
      n++ }
    END { printf "%d %d", n, missing + 0; for (i = 4; i <= 11; i++) printf " %.3g", m[i]; print "" }' "$1" "$2" -
}
names=(p_value p_gc p_bonferroni p_holm p_sidak_ss p_sidak_sd p_fdr_bh p_fdr_by)
for kind in linear logistic; do
  if [ "$kind" = linear ]; then glm=p2.PHENO.glm.linear table=k.PHENO limit=1e-5 least=50000
  else glm=$(ls p2.CASE.glm.logistic* | grep -v adjusted) table=k.CASE limit=1e-3 least=40000; fi
  read -r -a r < <(compare_adjusted "$glm" "$glm.adjusted" "$table.adjusted.tsv.gz" 1e-20)
  echo "$kind: ${r[0]} tests compared with plink2's adjusted table"
  [ "${r[0]}" -ge "$least" ] || { echo "FAIL: only ${r[0]} tests compared"; fail=1; }
  [ "${r[1]}" -eq 0 ] || { echo "FAIL: ${r[1]} of plink2's tests missing from kohort's table"; fail=1; }
  for i in "${!names[@]}"; do check "  ${names[$i]}, max relative difference" "${r[$((i + 2))]}" "$limit"; done
done

# --adjust gc against plink2's: the same columns, the adjustments of the controlled p-values.
plink2 --bfile eur --pheno pheno.txt --pheno-name PHENO --covar pheno.txt --covar-name QCOV1,QCOV2 \
  --glm hide-covar --adjust gc --lambda 1.2 --out p2gc >/dev/null 2>&1
"$KOHORT" -q gwas --bfile eur --pheno pheno.txt --pheno-col PHENO --covar pheno.txt --covar-col QCOV1,QCOV2 \
  --missing-genotypes exclude --adjust gc --lambda 1.2 --out kgc >/dev/null
# (rows below p = 1e-20 left out: there plink2's control itself keeps few digits, see above)
read -r -a r < <(compare_adjusted p2gc.PHENO.glm.linear p2gc.PHENO.glm.linear.adjusted kgc.PHENO.adjusted.tsv.gz 1e-20 1e-20)
echo "linear, --adjust gc: ${r[0]} tests compared with plink2's adjusted table"
if [ "${r[0]}" -lt 50000 ] || [ "${r[1]}" -ne 0 ]; then echo "FAIL: ${r[0]} tests compared, ${r[1]} missing"; fail=1; fi
for i in "${!names[@]}"; do check "  ${names[$i]}, max relative difference" "${r[$((i + 2))]}" 1e-5; done
# The gc modifier changes what it should: Bonferroni of the smallest p grows by the control.
read -r bonferroni_raw bonferroni_gc < <(paste <(zcat k.PHENO.adjusted.tsv.gz | sed -n 2p | cut -f9) <(zcat kgc.PHENO.adjusted.tsv.gz | sed -n 2p | cut -f9))
awk -v a="$bonferroni_raw" -v b="$bonferroni_gc" 'BEGIN { exit !(b > a) }' && echo "ok   --adjust gc: the top Bonferroni p $bonferroni_raw -> $bonferroni_gc" \
  || { echo "FAIL --adjust gc: the top Bonferroni p $bonferroni_raw -> $bonferroni_gc"; fail=1; }

# p_expected: (i - 1/2) / m, 6 printed digits.
for table in k.PHENO k.CASE; do
  read -r m worst < <(zcat "$table.adjusted.tsv.gz" | awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "p_expected") c = i; next }
    { q[NR - 1] = $c } END { m = NR - 1; for (i = 1; i <= m; i++) { e = (i - 0.5) / m; d = (q[i] - e) / e; if (d < 0) d = -d; if (d > w) w = d }
                             printf "%d %.3g\n", m, w }')
  check "${table#k.}: p_expected against (i - 1/2) / m over $m rows, max relative difference" "$worst" 1e-5
done

# R's p.adjust of kohort's own p-values (the main file's 10-digit -log10 p), and the order.
for table in k.PHENO k.CASE; do
  read -r n worst unsorted < <(Rscript -e '
    args <- commandArgs(TRUE)
    d <- read.delim(gzfile(args[1])); a <- read.delim(gzfile(args[2]))
    d <- d[!is.na(d$neg_log_10_p_value), ]; p <- 10^-d$neg_log_10_p_value; m <- length(p)
    ref <- data.frame(id = d$variant_id, p_bonferroni = p.adjust(p, "bonferroni"), p_holm = p.adjust(p, "holm"),
                      p_sidak_ss = -expm1(m * log1p(-p)), p_fdr_bh = p.adjust(p, "BH"), p_fdr_by = p.adjust(p, "BY"))
    j <- merge(ref, a, by.x = "id", by.y = "variant_id", suffixes = c(".r", ".k"))
    worst <- 0
    for (col in c("p_bonferroni", "p_holm", "p_sidak_ss", "p_fdr_bh", "p_fdr_by"))
      worst <- max(worst, abs(j[[paste0(col, ".k")]] - j[[paste0(col, ".r")]]) / j[[paste0(col, ".r")]])
    cat(nrow(j), sprintf("%.3g", worst), sum(diff(a$p_value) < 0), "\n")' "$table.tsv.gz" "$table.adjusted.tsv.gz")
  echo "${table#k.}: $n tests against R's p.adjust"
  [ "$n" -gt 50000 ] || { echo "FAIL: only $n tests"; fail=1; }
  check "  max relative difference (bonferroni, holm, sidak_ss, BH, BY)" "$worst" 1e-5
  check "  rows out of p order" "$unsorted" 0
done

# --pfilter: the first rows of the full table.
"$KOHORT" -q gwas --bfile eur --pheno pheno.txt --pheno-col PHENO --covar pheno.txt --covar-col QCOV1,QCOV2 \
  --missing-genotypes exclude --adjust --lambda 1.2 --pfilter 1e-3 --out kf >/dev/null
rows=$(zcat kf.PHENO.adjusted.tsv.gz | wc -l)
expected=$(zcat k.PHENO.tsv.gz | awk -F'\t' 'NR > 1 && $9 != "NA" && $9 >= 3' | wc -l)
if [ "$rows" -eq $((expected + 1)) ] && [ "$rows" -gt 10 ] && cmp -s <(zcat kf.PHENO.adjusted.tsv.gz) <(zcat k.PHENO.adjusted.tsv.gz | head -n "$rows"); then
  echo "ok   --pfilter 1e-3: the first $((rows - 1)) rows of the full table"
else
  echo "FAIL --pfilter 1e-3: $((rows - 1)) rows, expected the first $expected of the full table"; fail=1
fi

# The same tables at one thread.
"$KOHORT" -q --threads 1 gwas --bfile eur --pheno pheno.txt --pheno-col PHENO,CASE --covar pheno.txt --covar-col QCOV1,QCOV2 \
  --missing-genotypes exclude --binary-test wald --adjust --lambda 1.2 --out k1 >/dev/null
for p in PHENO CASE; do
  if cmp -s <(zcat "k.$p.adjusted.tsv.gz") <(zcat "k1.$p.adjusted.tsv.gz"); then echo "ok   $p: the same table at 1 thread"
  else echo "FAIL $p: the table differs at 1 thread"; fail=1; fi
done

# Input errors: exit 2, nothing written.
for args in "--lambda 1.1" "--adjust --lambda 0" "--adjust --lambda -1" "--adjust log10 --lambda 1.2"; do
  rm -rf err && mkdir err
  # shellcheck disable=SC2086
  if "$KOHORT" -q gwas --bfile eur --pheno pheno.txt --pheno-col PHENO $args --out err/e 2>err.txt; then status=0; else status=$?; fi
  if [ "$status" -eq 2 ] && [ -z "$(ls err)" ] && grep -q -e '--lambda' -e '--adjust' err.txt; then echo "ok   $args: exit 2, $(head -1 err.txt)"
  else echo "FAIL $args: exit $status, files: $(ls err | tr '\n' ' ')"; fail=1; fi
done
exit $fail
