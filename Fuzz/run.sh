#!/usr/bin/env bash
# Fuzzes the CSV reader, the JSON reader and the config parser with libFuzzer for a fixed budget
# each (FUZZ_SECONDS, default 60), from a corpus seeded with the project's and shared fixtures.
# Crashes land in Fuzz/artifacts/; turn each into a regression test in Tests/.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${FUZZ_SECONDS:-60}
shared=${RURALMAP_DATASETS:-../../shared/datasets}/../formats
swift build -c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library --scratch-path .build-fuzz
mkdir -p artifacts work/csv work/json work/config
cp ../data/demo/*.csv "$shared"/*.csv work/csv/ 2>/dev/null || true
cp ../data/demo/*.json ../data/demo/*.geojson "$shared"/*.json "$shared"/*.geojson work/json/ 2>/dev/null || true
cp ../Config/*.toml work/config/
for target in csv:FuzzCSV json:FuzzJSON config:FuzzConfig; do
  corpus=${target%%:*}; binary=${target##*:}
  echo "== $binary ($seconds s, corpus work/$corpus)"
  .build-fuzz/debug/$binary work/$corpus -max_total_time="$seconds" -max_len=65536 -artifact_prefix=artifacts/ \
    -print_final_stats=1 2>&1 | grep -E "stat::number_of_executed_units|stat::peak_rss_mb|Done|ERROR|SUMMARY" || true
  echo "corpus size: $(ls work/$corpus | wc -l) files"
done
