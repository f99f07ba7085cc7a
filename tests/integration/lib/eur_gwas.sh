# Shared by the gwas integration tests that run on the 1000 Genomes EUR subset (Debian's
# bolt-lmm-example): sourced, not run (the test glob is tests/integration/*.sh).

# Extracts the subset into the current directory as eur.bed/.bim/.fam, with pheno.txt: its
# quantitative phenotype PHENO, a case/control phenotype CASE from it (top third cases, PLINK 1/2
# coding) and the covariates QCOV1, QCOV2.
prepare_eur_subset() {
  local tarball
  tarball=$(dpkg -L bolt-lmm-example | grep 'examples.tar.xz$')
  tar xJf "$tarball" EUR_subset.bed EUR_subset.bim EUR_subset.fam EUR_subset.pheno.covars
  awk 'NR == 1 { print "FID IID PHENO CASE QCOV1 QCOV2"; next }
       { c = ($3 == "NA" || $3 == -9) ? "NA" : ($3 > 1.2 ? 2 : 1); print $1, $2, $3, c, $4, $5 }' EUR_subset.pheno.covars > pheno.txt
  cp EUR_subset.bed eur.bed; cp EUR_subset.bim eur.bim; cp EUR_subset.fam eur.fam
}

fail=0
check() {  # check NAME VALUE LIMIT: VALUE <= LIMIT, or the test fails
  if awk -v v="$2" -v l="$3" 'BEGIN { exit !(v <= l) }'; then echo "ok   $1: $2 <= $3"; else echo "FAIL $1: $2 > $3"; fail=1; fi
}

# plink2 --glm's rows of one TEST against kohort's, matched on chromosome:position:REF:ALT; for
# logistic, rows plink2 fits with Firth or flags are left out (UNFINISHED: kohort falls back to
# Firth there), but RANK_DEFICIENT stays (NA in both).
# -> "count max-beta max-SE max-log10p NA-in-one-only n-mismatches"; beta is relative to itself
# (linear) or to max(|beta|, SE/100) (logistic), SE relative, -log10 p absolute.
compare_glm() {  # plink2 file, kohort file, linear|logistic, TEST (ADD, DOM, REC)
  zcat "$2" | awk -F'\t' -v kind="$3" -v test="$4" '
    FNR == 1 && FILENAME != "-" { for (i = 1; i <= NF; i++) col[$i] = i; next }
    FILENAME != "-" { if ($col["TEST"] != test) next
                      if (kind == "logistic" && ($col["FIRTH?"] == "Y" || ($col["ERRCODE"] != "." && $col["ERRCODE"] != "RANK_DEFICIENT"))) next
                      k = $1 ":" $2 ":" $4 ":" $5; b[k] = $col["BETA"]; s[k] = $col["SE"]; p[k] = $col["P"]; obs[k] = $col["OBS_CT"]; next }
    FNR == 1 { next }
    { id = $1 ":" $2 ":" $4 ":" $3; if (!(id in b)) next
      if (b[id] == "NA" || $5 == "NA") { if ((b[id] == "NA") != ($5 == "NA")) bad++; next }
      if ($12 != obs[id]) nbad++
      if (kind == "linear") { scale = b[id] } else { scale = b[id] < 0 ? -b[id] : b[id]; if (scale < s[id] / 100) scale = s[id] / 100 }
      x = ($5 - b[id]) / scale; if (x < 0) x = -x; if (x > mb) mb = x
      x = ($6 - s[id]) / s[id]; if (x < 0) x = -x; if (x > ms) ms = x
      x = $9 + log(p[id]) / log(10); if (x < 0) x = -x; if (x > ml) ml = x
      n++ }
    END { printf "%d %.3g %.3g %.3g %d %d\n", n, mb, ms, ml, bad + 0, nbad + 0 }' "$1" -
}
