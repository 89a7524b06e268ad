#!/usr/bin/env bash
# sync-chart-crds.sh copies the generated manifests into the Helm chart, so
# that the chart and config/ never differ:
#   config/crd/bases/*.yaml -> charts/lms-operator/crds/
#   config/rbac/role.yaml   -> charts/lms-operator/files/manager-role.yaml
# (the chart's manager ClusterRole takes its rules from that copy).
# `make manifests` runs it after controller-gen.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
chart="$root/charts/lms-operator"
[ -d "$chart" ] || exit 0
mkdir -p "$chart/crds" "$chart/files"
rm -f "$chart"/crds/*.yaml
cp "$root"/config/crd/bases/*.yaml "$chart/crds/"
cp "$root/config/rbac/role.yaml" "$chart/files/manager-role.yaml"
