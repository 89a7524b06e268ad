#!/usr/bin/env bash
# sync-chart-crds.sh copies the generated CRDs into the Helm chart, so that
# the chart and config/crd never differ.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
chart="$root/charts/lms-operator/crds"
[ -d "$root/charts/lms-operator" ] || exit 0
mkdir -p "$chart"
rm -f "$chart"/*.yaml
cp "$root"/config/crd/bases/*.yaml "$chart"/
