#!/usr/bin/env bash
# Runs a program under mpirun on two "hosts" made on this machine, so that MPI traffic really
# crosses a network interface: two network namespaces (each with its own hostname) joined by a veth
# pair with private addresses. mpirun starts in the first namespace (host-a, rank 0) and reaches the
# second (host-b, rank 1) through scripts/two-hosts/agent.sh, which enters that namespace where ssh
# would log in to a real host. Open MPI is restricted to its TCP transport on the veth, as it would
# run between two machines.
#
#   scripts/two-hosts/mpirun.sh [--timeout SECONDS] [--] PROGRAM [ARGUMENTS...]
#
# Prints the veth byte counters of both hosts at the end, on standard error, one line per host:
#   two-hosts: host-a descent0 rx_bytes=N tx_bytes=N
# Exits with mpirun's status (124 after the timeout, default 300 s). The namespaces are removed on
# every exit. Needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN), iproute2, util-linux and Open MPI.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
seconds=300
while [ $# -gt 0 ]; do
  case $1 in
    --timeout)
      seconds=${2:?--timeout needs a number of seconds}
      shift 2
      ;;
    --)
      shift
      break
      ;;
    -h | --help)
      sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *) break ;;
  esac
done
if [ $# -eq 0 ]; then
  echo "usage: $0 [--timeout SECONDS] [--] PROGRAM [ARGUMENTS...]" >&2
  exit 2
fi

fail() {
  echo "two-hosts: $*" >&2
  exit 1
}
for tool in ip unshare hostname timeout mpirun; do
  command -v "$tool" >/dev/null || fail "'$tool' not found: run scripts/setup.sh (iproute2, Open MPI)"
done

# Unique per invocation, so that concurrent runs never share a namespace.
id="descent-$$-$RANDOM"
ns_a="$id-a"
ns_b="$id-b"
interface=descent0
address_a=10.213.0.1
address_b=10.213.0.2
workdir=$(mktemp -d "${TMPDIR:-/tmp}/two-hosts.XXXXXX")
child=""
created=()

# shellcheck disable=SC2317 # called by the traps
teardown() {
  local status=$? namespace pids
  trap - EXIT INT TERM
  if [ -n "$child" ]; then
    # timeout passes the signal on to mpirun, which stops its ranks (or kills it 10 s later).
    kill -TERM "$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
  fi
  for namespace in "${created[@]}"; do
    # Whatever still runs inside (a rank, an orted) was started by this script.
    pids=$(ip netns pids "$namespace" 2>/dev/null || true)
    if [ -n "$pids" ]; then
      # shellcheck disable=SC2086 # one argument per pid
      kill -KILL $pids 2>/dev/null || true
    fi
    ip netns delete "$namespace" 2>/dev/null || echo "two-hosts: could not delete $namespace" >&2
  done
  rm -rf "$workdir"
  exit "$status"
}
trap teardown EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for namespace in "$ns_a" "$ns_b"; do
  if ! error=$(ip netns add "$namespace" 2>&1); then
    fail "cannot create the network namespace $namespace ($error). The two-host run needs root, or" \
      "CAP_NET_ADMIN and CAP_SYS_ADMIN (a container started with --privileged, or with" \
      "--cap-add NET_ADMIN --cap-add SYS_ADMIN): run it with sudo, or in such a container."
  fi
  created+=("$namespace")
done
# Both ends are created inside the namespaces, so nothing touches the host's own interfaces.
ip -n "$ns_a" link add "$interface" type veth peer name "$interface" netns "$ns_b"
ip -n "$ns_a" address add "$address_a/24" dev "$interface"
ip -n "$ns_b" address add "$address_b/24" dev "$interface"
for namespace in "$ns_a" "$ns_b"; do
  ip -n "$namespace" link set lo up
  ip -n "$namespace" link set "$interface" up
done

printf '%s slots=1\n%s slots=1\n' "$address_a" "$address_b" >"$workdir/hostfile"
# Read by agent.sh: which namespace and hostname play each host.
export DESCENT_TWO_HOSTS="$address_a=$ns_a=host-a $address_b=$ns_b=host-b"

options=(
  --hostfile "$workdir/hostfile" -np 2
  # Reach host-b through the agent instead of ssh.
  --mca plm_rsh_agent "$here/agent.sh"
  # TCP between the hosts (and self for a rank's own messages): no shared memory.
  --mca btl "tcp,self"
  # MPI messages and Open MPI's own out-of-band traffic only on the veth.
  --mca btl_tcp_if_include "$interface"
  --mca oob_tcp_if_include "$interface"
  # Each "host" sees all of this machine's cores: binding would put both ranks on core 0.
  --bind-to none
  # The two "hosts" share this machine's cores: wait for messages without spinning.
  --mca mpi_yield_when_idle 1
  # Open MPI's session files here, removed with the namespaces even after a kill.
  --mca orte_tmpdir_base "$workdir"
)
if [ "$(id -u)" -eq 0 ]; then options+=(--allow-run-as-root); fi

status=0
# shellcheck disable=SC2016 # expanded by the inner shell
timeout --kill-after=10 "$seconds" \
  ip netns exec "$ns_a" unshare --uts /bin/sh -c 'hostname "$1" && shift && exec "$@"' \
  sh host-a mpirun "${options[@]}" "$@" &
child=$!
wait "$child" || status=$?
child=""
if [ "$status" -eq 124 ]; then echo "two-hosts: mpirun did not finish in $seconds s" >&2; fi

for host in a b; do
  namespace="$id-$host"
  counters=/sys/class/net/$interface/statistics
  rx=$(ip netns exec "$namespace" cat "$counters/rx_bytes")
  tx=$(ip netns exec "$namespace" cat "$counters/tx_bytes")
  echo "two-hosts: host-$host $interface rx_bytes=$rx tx_bytes=$tx" >&2
done
exit "$status"
