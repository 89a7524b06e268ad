#!/usr/bin/env bash
# envtest-assets.sh builds the binaries that controller-runtime's envtest runs
# (kube-apiserver, etcd, kubectl) from the Go module proxy into a directory,
# because no prebuilt binary can be downloaded on the project's machines.
#
# Usage: hack/envtest-assets.sh [DIR]   (default: bin/k8s/1.37.0-<os>-<arch>)
#
# It is idempotent: a binary already built for the pinned version is kept.
# It prints the directory to stdout on its last line, so that
#   export KUBEBUILDER_ASSETS=$(hack/envtest-assets.sh | tail -1)
# works. Progress goes to stderr.
set -euo pipefail

KUBE_VERSION=1.37.0
ETCD_VERSION=3.7.0
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$root/bin/k8s/$KUBE_VERSION-$(go env GOOS)-$(go env GOARCH)}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
export GOFLAGS=-mod=mod GOWORK=off CGO_ENABLED=0

log() { printf '[envtest-assets] %s\n' "$*" >&2; }

# stamp returns whether $1 was built for version $2.
fresh() { [ -x "$dir/$1" ] && [ "$(cat "$dir/.$1.version" 2>/dev/null)" = "$2" ]; }

build_kube() {
  local cmd=$1
  if fresh "$cmd" "$KUBE_VERSION"; then log "$cmd $KUBE_VERSION: already built"; return; fi
  log "$cmd $KUBE_VERSION: building from k8s.io/kubernetes (first time: about 8 minutes on 2 cores)"
  local ldflags="-s -w -X k8s.io/component-base/version.gitVersion=v$KUBE_VERSION"
  ldflags+=" -X k8s.io/component-base/version.gitMajor=${KUBE_VERSION%%.*}"
  ldflags+=" -X k8s.io/component-base/version.gitMinor=$(echo "$KUBE_VERSION" | cut -d. -f2)"
  ldflags+=" -X k8s.io/client-go/pkg/version.gitVersion=v$KUBE_VERSION"
  local start=$SECONDS
  (cd "$root/hack/envtest/kube" && go build -trimpath -ldflags "$ldflags" -o "$dir/$cmd" "k8s.io/kubernetes/cmd/$cmd")
  echo "$KUBE_VERSION" > "$dir/.$cmd.version"
  log "$cmd: built in $((SECONDS - start))s"
}

build_etcd() {
  if fresh etcd "$ETCD_VERSION"; then log "etcd $ETCD_VERSION: already built"; return; fi
  log "etcd $ETCD_VERSION: building from go.etcd.io/etcd/server/v3 (about 1 minute)"
  local start=$SECONDS
  (cd "$root/hack/envtest/etcd" && go build -trimpath -ldflags "-s -w" -o "$dir/etcd" .)
  echo "$ETCD_VERSION" > "$dir/.etcd.version"
  log "etcd: built in $((SECONDS - start))s"
}

build_etcd
build_kube kube-apiserver
build_kube kubectl
log "assets ready in $dir"
echo "$dir"
