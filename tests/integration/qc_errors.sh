#!/usr/bin/env bash
# Malformed genotype input: each case must exit 2 with a message naming the file and the record,
# and leave no output behind.
set -euo pipefail
: "${KOHORT:?}" "${KOHORT_WORK:?}"
work="$KOHORT_WORK/qc_errors"
rm -rf "$work" && mkdir -p "$work" && cd "$work"
plink2 --silent --dummy 40 30 0.05 acgt --make-bed --out good >/dev/null
plink2 --silent --bfile good --export bgen-1.2 bits=8 ref-first --out good >/dev/null
fail=0

# expect_error NAME EXPECTED_TEXT... -- KOHORT_ARGS...
expect_error() {
  local name=$1; shift
  local patterns=()
  while [ "$1" != "--" ]; do patterns+=("$1"); shift; done
  shift
  local rc=0
  "$KOHORT" --quiet qc "$@" --out "out_$name" 2> "err_$name.txt" || rc=$?
  local message
  message=$(cat "err_$name.txt")
  local ok=1
  [ "$rc" -eq 2 ] || ok=0
  for p in "${patterns[@]}"; do grep -qF -- "$p" "err_$name.txt" || ok=0; done
  if ls "out_$name".* >/dev/null 2>&1; then ok=0; message="$message (and it left output files)"; fi
  if [ $ok -eq 1 ]; then echo "ok   $name: exit $rc: $message"; else echo "FAIL $name: exit $rc: $message"; fail=1; fi
}

cp good.bim trunc.bim; cp good.fam trunc.fam; head -c 200 good.bed > trunc.bed
expect_error truncated_bed "trunc.bed" "data ends inside variant 20 (" "truncated" -- --bfile trunc

cp good.bed extra.bed; cp good.bim extra.bim; { cat good.fam; echo "X1 Y1 0 0 1 -9"; echo "X2 Y2 0 0 1 -9"; echo "X3 Y3 0 0 1 -9"; echo "X4 Y4 0 0 1 -9"; echo "X5 Y5 0 0 1 -9"; } > extra.fam
expect_error fam_bed_mismatch "extra.bed" "45 samples" "fit 37 to 40 samples, so the .fam does not match" -- --bfile extra

cp good.bim magic.bim; cp good.fam magic.fam; { printf 'BAD'; tail -c +4 good.bed; } > magic.bed
expect_error bad_magic "magic.bed" "magic bytes" -- --bfile magic

head -c 2 good.bed > short.bed; cp good.bim short.bim; cp good.fam short.fam
expect_error short_bed "short.bed" "magic bytes" -- --bfile short

printf '##fileformat=VCFv4.2\n##contig=<ID=1>\n##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS2\n1\t100\trs1\tA\tG\t.\t.\t.\tGT\t0/1\t1/1\n1\t200\trs2\tA\tG\t.\t.\n' > columns.vcf
expect_error vcf_missing_columns "columns.vcf" "record 2 (after 1:100 rs1)" "7 tab-separated fields, expected 11" -- --vcf columns.vcf

printf '##fileformat=VCFv4.2\n##contig=<ID=1>\n##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS2\n1\t100\trs1\tA\tG\t.\t.\t.\tGT\t0/1\t1/1\n1\tabc\trs2\tA\tG\t.\t.\t.\tGT\t0/1\t1/1\n' > pos.vcf
expect_error vcf_bad_pos "pos.vcf" "record 2 (after 1:100 rs1)" "POS" -- --vcf pos.vcf

# BGEN: the last variant's compressed block overwritten with garbage.
cp good.bgen block.bgen
size=$(stat -c %s block.bgen)
printf 'garbage-garbage-garbage' | dd of=block.bgen bs=1 seek=$((size - 30)) conv=notrunc status=none
last_id=$(tail -n 1 good.bim | cut -f2)
expect_error bgen_bad_block "block.bgen" "variant 30 ($last_id)" "bad genotype block" -- --bgen block.bgen --sample good.sample

head -c $((size - 10)) good.bgen > cut.bgen
expect_error bgen_truncated "cut.bgen" "file ends inside the genotype block of variant 30" -- --bgen cut.bgen --sample good.sample

printf 'XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX' > magic.bgen
expect_error bgen_bad_magic "magic.bgen" "not a BGEN file" -- --bgen magic.bgen

exit $fail
