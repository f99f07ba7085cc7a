#!/usr/bin/env bash
# Power on simulated truth: in the demo-sized population (20,000 persons, 6,000 genotyped), the
# major planted locus (4% of the liability variance) of each of four diseases reaches p < 5e-8,
# and no variant far (> 2 Mb) from every causal variant of its disease does.
set -euo pipefail
: "${KOHORT:?path of the kohort binary}" "${KOHORT_WORK:=/tmp/kohort-test-work}"
work="$KOHORT_WORK/gwas_power"
rm -rf "$work" && mkdir -p "$work" && cd "$work"
"$KOHORT" -q simulate --persons 20000 --variants 20000 --seed 1 --out population >/dev/null
diseases="t2d chd asthma depression"
"$KOHORT_SOURCE_DIR/scripts/demo-phenotypes" population pheno.tsv covar.tsv $diseases
"$KOHORT" -q gwas --bfile population/genotypes --pheno pheno.tsv --covar covar.tsv --out gwas >/dev/null
fail=0
for d in $diseases; do
  awk -F'\t' -v d="$d" '$1 == d { print $3, $4, $8 }' population/truth_causal_variants.tsv > "causal.$d"
  zcat "gwas.$d.tsv.gz" | awk -F'\t' -v d="$d" '
    NR == FNR { split($0, f, " "); chrom[++n] = f[1]; pos[n] = f[2]; share[n] = f[3]; next }
    FNR == 1 { next }
    { p = $8 + 0; if ($8 == "NA") next
      for (i = 1; i <= n; i++) if (share[i] >= 0.04 && chrom[i] == $1 && pos[i] == $2) { major = $8; majorp = p }
      if (p < 5e-8) { near = 0; for (i = 1; i <= n; i++) if (chrom[i] == $1 && (pos[i] - $2 < 2e6 && $2 - pos[i] < 2e6)) near = 1
                      hits++; if (!near) false_hits++ } }
    END { printf "%s: major locus p = %s, %d variants at p < 5e-8, %d of them far from every causal variant\n", d, major, hits, false_hits
          exit !(major != "" && majorp < 5e-8 && false_hits == 0) }' "causal.$d" - || fail=1
done
[ "$fail" -eq 0 ] && echo PASS || { echo FAIL; exit 1; }
