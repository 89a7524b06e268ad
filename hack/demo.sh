#!/usr/bin/env bash
# demo.sh runs lms-operator against the vendor simulator on a local API
# server, with nothing but Go: it builds the manager, the simulator and (once,
# through hack/envtest-assets.sh) kube-apiserver, etcd and kubectl; starts etcd
# and kube-apiserver (hack/demo/controlplane), installs the CRDs, starts the
# simulator with its demo data and the manager, applies hack/demo/manifests
# (a connection per vendor, Learners, an eLeaP LearnerGroup and three
# Enrollments), waits until every object is Ready, and prints them and what
# the simulator now holds. Then it waits for Ctrl-C and stops everything it
# started.
#
# Environment:
#   DEMO_EXIT=1   exit after printing; status 0 only if every object became Ready
#   DEMO_DIR      working directory (default ./tmp/demo): kubeconfig, logs, binaries
#   DEMO_TIMEOUT  how long to wait for each kind to become Ready (default 120s)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
dir=${DEMO_DIR:-$root/tmp/demo}
timeout=${DEMO_TIMEOUT:-120s}
ns=lms-demo
kinds=(lmsconnections learners learnergroups enrollments)

mkdir -p "$dir/bin" "$dir/logs"
dir=$(cd "$dir" && pwd)
kubeconfig=$dir/kubeconfig
rm -f "$kubeconfig"

if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
step() { printf '\n%s==> %s%s\n' "$bold" "$*" "$plain"; }
fail() { printf 'demo: %s\n' "$*" >&2; exit 1; }

# Every process the demo starts leads its own process group (setsid), so
# that stopping it also stops its children (etcd and kube-apiserver).
pids=()
names=()
start() { # start NAME LOGFILE CMD...: runs CMD in the background
  local name=$1 logfile=$2
  shift 2
  setsid "$@" >"$logfile" 2>&1 &
  started=$!
  pids+=("$started")
  names+=("$name")
}
stop() { # stop PID: SIGTERM, up to 15s to exit, then SIGKILL to its group
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$pid" 2>/dev/null || true
}
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ ${#pids[@]} -gt 0 ]; then
    step "Stopping ${names[*]}"
    local i
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do stop "${pids[$i]}"; done
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

alive() { kill -0 "$1" 2>/dev/null; }

# wait_for DESCRIPTION PID LOGFILE SECONDS CMD...: polls CMD until it succeeds;
# fails with the log's tail when PID exits or time runs out.
wait_for() {
  local what=$1 pid=$2 logfile=$3 secs=$4
  shift 4
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    if ! alive "$pid"; then tail -20 "$logfile" >&2; fail "$what exited (log: $logfile)"; fi
    if [ $SECONDS -ge $deadline ]; then tail -20 "$logfile" >&2; fail "$what not ready after ${secs}s (log: $logfile)"; fi
    sleep 0.5
  done
}

# port_free reports whether nothing listens on 127.0.0.1:$1.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local p=$1
  until port_free "$p"; do p=$((p + 1)); done
  echo "$p"
}

command -v curl >/dev/null || fail "curl is needed"

step "Building the manager, the simulator and the demo helpers into $dir/bin"
go build -o "$dir/bin/manager" ./cmd
go build -o "$dir/bin/lms-simulator" ./cmd/lms-simulator
go build -o "$dir/bin/controlplane" ./hack/demo/controlplane
go build -o "$dir/bin/simstate" ./hack/demo/simstate

step "kube-apiserver, etcd and kubectl (built from source once, about 10 minutes on 2 cores)"
assets=${KUBEBUILDER_ASSETS:-}
if [ -z "$assets" ] || [ ! -x "$assets/kube-apiserver" ] || [ ! -x "$assets/etcd" ] || [ ! -x "$assets/kubectl" ]; then
  assets=$(hack/envtest-assets.sh | tail -1)
fi
echo "using $assets"
k() { "$assets/kubectl" --kubeconfig "$kubeconfig" "$@"; }

step "Starting etcd and kube-apiserver"
start controlplane "$dir/logs/controlplane.log" "$dir/bin/controlplane" --write-kubeconfig "$kubeconfig" --assets "$assets"
cp_pid=$started
wait_for "the control plane" "$cp_pid" "$dir/logs/controlplane.log" 180 test -s "$kubeconfig"
k version 2>/dev/null | sed -n 's/^Server Version/kube-apiserver/p'

step "Installing the CRDs"
k apply --server-side -f config/crd/bases/
k wait --for=condition=Established --timeout=60s crd --all >/dev/null

step "Starting the vendor simulator (demo data: lms-simulator --print-seed)"
for _ in 1 2 3; do
  sim_port=$(free_port 8090)
  sim=http://127.0.0.1:$sim_port
  start lms-simulator "$dir/logs/lms-simulator.log" "$dir/bin/lms-simulator" --addr "127.0.0.1:$sim_port"
  sim_pid=$started
  sleep 0.5
  alive "$sim_pid" && break
done
wait_for "the simulator" "$sim_pid" "$dir/logs/lms-simulator.log" 30 curl -sf "$sim/_sim/healthz"
echo "simulator: $sim (admin API: $sim/_sim/)"

step "Starting the manager"
probe_port=$(free_port 18081)
KUBECONFIG=$kubeconfig start manager "$dir/logs/manager.log" "$dir/bin/manager" \
  --leader-elect=false --metrics-bind-address=0 --health-probe-bind-address="127.0.0.1:$probe_port"
manager_pid=$started
wait_for "the manager" "$manager_pid" "$dir/logs/manager.log" 60 curl -sf "http://127.0.0.1:$probe_port/readyz"
echo "manager: ready (log: $dir/logs/manager.log)"

step "Applying hack/demo/manifests to namespace $ns"
for f in hack/demo/manifests/*.yaml; do
  echo "---"
  sed "s#127\.0\.0\.1:8090#127.0.0.1:$sim_port#g" "$f"
done >"$dir/manifests.yaml"
k apply -f "$dir/manifests.yaml"

step "Waiting until every object is Ready (kubectl wait --for=condition=Ready --timeout=$timeout)"
not_ready=()
for kind in "${kinds[@]}"; do
  if ! k wait -n "$ns" "$kind" --all --for=condition=Ready --timeout="$timeout"; then
    not_ready+=("$kind")
  fi
done

step "kubectl get lms -A"
k get lms -A
if [ ${#not_ready[@]} -gt 0 ]; then
  step "Not Ready: ${not_ready[*]}"
  for kind in "${not_ready[@]}"; do
    k get "$kind" -n "$ns" -o custom-columns='NAME:.metadata.name,READY:.status.conditions[?(@.type=="Ready")].status,REASON:.status.conditions[?(@.type=="Ready")].reason,MESSAGE:.status.conditions[?(@.type=="Ready")].message'
  done
fi

step "What the simulator holds ($sim/_sim/<vendor>/state)"
"$dir/bin/simstate" --url "$sim"

if [ "${DEMO_EXIT:-}" = 1 ]; then
  [ ${#not_ready[@]} -eq 0 ] || fail "not Ready: ${not_ready[*]}"
  step "Every object is Ready"
  exit 0
fi

step "The demo runs until Ctrl-C. Try:"
cat <<EOF
  export KUBECONFIG=$kubeconfig
  alias kubectl=$assets/kubectl
  kubectl get lms -A
  kubectl -n $ns patch learner katherine-johnson --type=merge -p '{"spec":{"lastName":"Goble"}}'
  kubectl -n $ns delete learner edsger-dijkstra   # deactivated in Exceed
  $dir/bin/simstate --url $sim
  curl -s $sim/_sim/calls          # vendor calls so far
  tail -f $dir/logs/manager.log
EOF
while alive "$cp_pid" && alive "$sim_pid" && alive "$manager_pid"; do sleep 1; done
fail "a process stopped; see the logs in $dir/logs"
