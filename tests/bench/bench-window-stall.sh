#!/bin/bash
# tests/bench/bench-window-stall.sh [BUILD_DIR]
#
# The longest stall of the window's main loop while a demo sync of 5,000 companies runs in it
# (see window-stall.c), under Xvfb with a throwaway keyring (tests/run-headless). Xvfb has no GPU:
# GTK's GL renderer runs on llvmpipe, on the same cores as the sync, and its frames are what
# stalls the loop; the cairo renderer shows the cost of Liaison's own main-thread work.
set -euo pipefail
cd "$(dirname "$0")/../.."
build="${1:-build}"
for renderer in gl cairo; do
  echo "-- GSK_RENDERER=$renderer"
  tests/run-headless env GSK_RENDERER="$renderer" GSETTINGS_SCHEMA_DIR="$build/data" \
    GIO_USE_PROXY_RESOLVER=dummy "$build/tests/bench/window-stall" 2>/dev/null
done
