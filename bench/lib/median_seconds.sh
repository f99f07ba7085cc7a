# Sourced by the side-by-side bench scripts. median_seconds COMMAND...: runs the command $repeat
# times (stdout and stderr discarded) and prints the median wall-clock seconds, to 0.01 s.
median_seconds() {
  local times=()
  for ((r = 0; r < repeat; r++)); do
    local start end
    start=$(date +%s.%N); "$@" >/dev/null 2>&1; end=$(date +%s.%N)
    times+=("$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')")
  done
  printf '%s\n' "${times[@]}" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
