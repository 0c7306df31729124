#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, AddressSanitizer and UBSan) in
# build/fuzz and runs each for SECONDS (default 60), starting from the seed
# corpus in fuzz/corpus/<target>. New inputs go to build/fuzz/corpus, crashes
# to build/fuzz/crashes; turn each crash into a regression test in tests/policy.
# Usage: scripts/fuzz.sh [SECONDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
build="$root/build/fuzz"

command -v clang++ >/dev/null || { echo "scripts/fuzz.sh needs clang: apt-get install -y clang" >&2; exit 2; }
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DPOSTURED_TESTS=OFF -DPOSTURED_FUZZ=ON \
  -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined -fsanitize=fuzzer-no-link -fno-sanitize-recover=undefined" >/dev/null
cmake --build "$build" --target fuzz_hujson fuzz_posture_condition fuzz_policy -- -j"$(nproc)"

mkdir -p "$build/crashes"
status=0
for target in hujson posture_condition policy; do
  corpus="$build/corpus/$target"
  mkdir -p "$corpus"
  echo "fuzzing $target for ${seconds}s"
  if ! "$build/fuzz/fuzz_$target" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
      -artifact_prefix="$build/crashes/$target-" "$corpus" "$root/fuzz/corpus/$target" 2>"$build/$target.log"; then
    echo "  $target: FOUND A CRASH, see $build/$target.log and $build/crashes/" >&2
    status=1
  else
    echo "  $target: $(grep -o 'Done [0-9]* runs in [0-9]* second' "$build/$target.log" | tail -1 || true), no crash"
  fi
done
exit $status
