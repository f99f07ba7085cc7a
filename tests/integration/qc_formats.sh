#!/usr/bin/env bash
# kohort qc on plink2's VCF (bgzip), BCF, BGEN 1.2 (8-bit zlib) and BGEN 1.3 (zstd) exports of a
# fileset with missing calls must equal kohort qc on the .bed: every count and value identical
# (sample IDs aside: VCF/BGEN samples carry no FID). Also: multi-allelic skip and split.
set -euo pipefail
: "${KOHORT:?}" "${KOHORT_WORK:?}"
work="$KOHORT_WORK/qc_formats"
rm -rf "$work" && mkdir -p "$work" && cd "$work"
plink2 --silent --dummy 300 2000 0.03 acgt --make-bed --out set >/dev/null
plink2 --silent --bfile set --export vcf bgz --out set >/dev/null
plink2 --silent --bfile set --export bcf --out set >/dev/null
plink2 --silent --bfile set --export bgen-1.2 bits=8 ref-first --out set_b12 >/dev/null
plink2 --silent --bfile set --export bgen-1.3 ref-first --out set_b13 >/dev/null
"$KOHORT" --quiet qc --bfile set --out bed
fail=0
# IID and the five per-sample figures (the FID column exists only where the input has FIDs).
sample_columns() { awk -F'\t' -v OFS='\t' 'NR > 1 { print $(NF-5), $(NF-4), $(NF-3), $(NF-2), $(NF-1), $NF }' "$1"; }
check() {
  local name=$1; shift
  "$KOHORT" --quiet qc "$@" --out "$name"
  if cmp -s bed.vqc.tsv "$name.vqc.tsv" && cmp -s <(sample_columns bed.sqc.tsv) <(sample_columns "$name.sqc.tsv"); then
    echo "$name: $(($(wc -l < "$name.vqc.tsv") - 1)) variants, $(($(wc -l < "$name.sqc.tsv") - 1)) samples identical to the .bed"
  else
    echo "$name differs from the .bed:"; diff bed.vqc.tsv "$name.vqc.tsv" | head -5 || true; fail=1
  fi
}
check vcf --vcf set.vcf.gz
check bcf --vcf set.bcf
check bgen12 --bgen set_b12.bgen --sample set_b12.sample
check bgen13 --bgen set_b13.bgen --sample set_b13.sample

# A plink-style FID IID keep list selects VCF samples (which have no FID) by IID.
awk 'NR % 2 == 1 { print $1, $2 }' set.fam > keep.txt
"$KOHORT" --quiet qc --bfile set --keep keep.txt --out bed_keep
"$KOHORT" --quiet qc --vcf set.bcf --keep keep.txt --out bcf_keep
if cmp -s bed_keep.vqc.tsv bcf_keep.vqc.tsv && [ "$(wc -l < bcf_keep.sqc.tsv)" -eq 151 ]; then
  echo "--keep FID IID on BCF input: 150 samples, same as on the .bed"
else
  echo "--keep on BCF input differs from the .bed"; fail=1
fi

# A multi-allelic record: skipped with a warning, or split into one variant per ALT.
printf '##fileformat=VCFv4.2\n##contig=<ID=1>\n##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS2\tS3\n1\t100\trs1\tA\tG\t.\t.\t.\tGT\t0/1\t1/1\t0/0\n1\t200\trs2\tA\tG,T\t.\t.\t.\tGT\t0/2\t1/2\t2/2\n1\t300\trs3\tC\tT\t.\t.\t.\tGT\t./.\t0|1\t1\n' > multi.vcf
"$KOHORT" qc --vcf multi.vcf --out skip 2> skip.log
grep -q "record 2 (1:200 rs2) has 2 ALT alleles: skipped" skip.log || { echo "no skip report"; fail=1; }
[ "$(cut -f3 skip.vqc.tsv | tr '\n' ' ')" = "ID rs1 rs3 " ] || { echo "skip kept: $(cut -f3 skip.vqc.tsv | tr '\n' ' ')"; fail=1; }
"$KOHORT" --quiet qc --vcf multi.vcf --multiallelic split --out split
# rs2/G: S1 0/2 -> 0 copies, S2 1/2 -> 1, S3 2/2 -> 0; rs2/T: 1, 1, 2. rs3: haploid 1 counts as 1/1.
got=$(awk -F'\t' 'NR > 1 { printf "%s/%s:%s,%s,%s,%s ", $3, $5, $6, $7, $8, $9 }' split.vqc.tsv)
want="rs1/G:1,1,1,0 rs2/G:2,1,0,0 rs2/T:0,2,1,0 rs3/T:0,1,1,1 "
if [ "$got" = "$want" ]; then echo "multi-allelic split: $got"; else echo "split: got '$got' want '$want'"; fail=1; fi
exit $fail
