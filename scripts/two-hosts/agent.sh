#!/usr/bin/env bash
# The launch agent of scripts/two-hosts/mpirun.sh, which Open MPI calls where it would call ssh
# (--mca plm_rsh_agent): `agent.sh [OPTIONS] HOST COMMAND...` runs COMMAND, a shell command line
# as ssh's remote shell would run it, inside the network namespace that plays HOST and under that
# host's own hostname (a UTS namespace), so that Open MPI sees a separate node.
# HOST is looked up in DESCENT_TWO_HOSTS, a space-separated list of ADDRESS=NAMESPACE=HOSTNAME
# that mpirun.sh exports.
set -euo pipefail
while [ $# -gt 0 ] && [ "${1#-}" != "$1" ]; do shift; done # ssh options such as -x
if [ $# -lt 2 ]; then
  echo "usage: $0 [OPTIONS] HOST COMMAND..." >&2
  exit 2
fi
host=$1
shift
for entry in ${DESCENT_TWO_HOSTS:-}; do
  IFS='=' read -r address namespace name <<<"$entry"
  if [ "$host" = "$address" ] || [ "$host" = "$name" ]; then
    # shellcheck disable=SC2016 # expanded by the inner shell
    exec ip netns exec "$namespace" unshare --uts /bin/sh -c \
      'hostname "$1" && shift && exec /bin/sh -c "$*"' sh "$name" "$@"
  fi
done
echo "$0: no namespace plays host '$host' (DESCENT_TWO_HOSTS='${DESCENT_TWO_HOSTS:-}')" >&2
exit 255
