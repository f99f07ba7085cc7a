#!/usr/bin/env bash
# kohort trial with broken protocols: each must exit 2 with a message naming the protocol file and
# what was wrong, and leave no output behind.
set -euo pipefail
: "${KOHORT:?path to the kohort binary}"
: "${KOHORT_SOURCE_DIR:?source directory}"
: "${KOHORT_WORK:?scratch directory}"
work="$KOHORT_WORK/trial_errors"
rm -rf "$work"
mkdir -p "$work"
"$KOHORT" -q simulate --persons 20000 --variants 0 --seed 5 --out "$work/population" >/dev/null
"$KOHORT" -q ingest --persons "$work/population/persons.tsv" --events "$work/population/events.tsv" \
  --out "$work/store" >/dev/null
good="$KOHORT_SOURCE_DIR/trials/sglt2_vs_dpp4_heart_failure.toml"
cloned="$KOHORT_SOURCE_DIR/trials/sglt2_vs_dpp4_ccw.toml"
failures=0

# name, sed expression applied to the good protocol (or the one given fourth), text the error must contain
expect_error() {
  local name=$1 edit=$2 expected=$3 base=${4:-$good}
  local protocol="$work/$name.toml"
  sed -e "$edit" "$base" > "$protocol"
  set +e
  "$KOHORT" -q trial "$protocol" --store "$work/store" --definitions "$KOHORT_SOURCE_DIR/endpoints" \
    --bootstrap 0 --out "$work/$name" 2> "$work/$name.err" >/dev/null
  local status=$?
  set -e
  local message
  message=$(cat "$work/$name.err")
  if [ "$status" -ne 2 ] || [[ "$message" != *"$protocol"* ]] || [[ "$message" != *"$expected"* ]]; then
    echo "FAIL $name: exit $status, message: $message (expected exit 2, the file name and '$expected')"
    failures=$((failures + 1))
  elif compgen -G "$work/$name.*.tsv" >/dev/null || [ -e "$work/$name.summary.txt" ]; then
    echo "FAIL $name: output files were left behind"
    failures=$((failures + 1))
  else
    echo "ok   $name: $(grep 'error' "$work/$name.err" | head -1)"
  fi
}
expect_error unknown_endpoint 's/^endpoint = "HEART_FAILURE"/endpoint = "HEART_FAILUR"/' \
  "[outcome] endpoint 'HEART_FAILUR' is not defined"
expect_error unknown_confounder 's/^endpoints = \["CHD"/endpoints = ["CHDX"/' "[confounders] endpoints 'CHDX' is not defined"
expect_error empty_arm 's/^atc = \["A10BK"\]/atc = ["A10BX"]/' "arm is empty"
expect_error atc_regex 's/^atc = \["A10BK"\]/atc = ["A10B[KX]"]/' "is not an ATC code or prefix"
expect_error atc_wildcard 's/^atc = \["A10BH"\]/atc = ["A10BH*"]/' "is not an ATC code or prefix"
expect_error atc_overlap 's/^atc = \["A10BH"\]/atc = ["A10B"]/' "overlap"
expect_error unknown_key 's/^grace_days = 60/grace_day = 60/' "[per_protocol] has no key 'grace_day'"
expect_error bad_date 's/^start = "2014-01-01"/start = "2014-02-30"/' "expected a date YYYY-MM-DD"
expect_error bad_estimand 's/^estimand = .*/estimand = "as-treated"/' "expected intention-to-treat or per-protocol"
expect_error toml_syntax 's/^name = "SGLT2 inhibitor"$/name = "SGLT2 inhibitor/' ".toml:16: Error while parsing string"
# Time zero at eligibility (clone-censor-weight).
expect_error ccw_unknown_eligibility 's/^eligibility_endpoint = "T2D"/eligibility_endpoint = "T2DX"/' \
  "[enrolment] eligibility_endpoint 'T2DX' is not defined" "$cloned"
expect_error ccw_negative_grace 's/^initiation_grace_days = 180/initiation_grace_days = -7/' \
  "[enrolment] initiation_grace_days must not be negative" "$cloned"
expect_error ccw_unknown_time_zero 's/^time_zero = "eligibility"/time_zero = "diagnosis"/' \
  "[enrolment] time_zero is 'diagnosis'; expected \"first-dispensing\" or \"eligibility\"" "$cloned"
expect_error ccw_grace_at_first_dispensing 's/^washout_days = 365 .*/washout_days = 365\ninitiation_grace_days = 30/' \
  "[enrolment] initiation_grace_days applies only with time_zero = \"eligibility\""
expect_error ccw_endpoint_at_first_dispensing 's/^time_zero = "eligibility"/time_zero = "first-dispensing"/' \
  "[enrolment] eligibility_endpoint applies only with time_zero = \"eligibility\"" "$cloned"
expect_error ccw_grace_missing '/^initiation_grace_days = /d' "initiation_grace_days is missing" "$cloned"
expect_error ccw_matching 's/^adjustment = .*/adjustment = "matching"/' "needs time zero at the first dispensing" "$cloned"
expect_error ccw_no_initiation 's/^atc = \["A10BK"\]/atc = ["A10BX"]/' \
  "the SGLT2 inhibitor arm is empty: none of the" "$cloned"
if [ "$failures" -gt 0 ]; then
  echo "$failures error cases failed"
  exit 1
fi
