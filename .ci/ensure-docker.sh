#!/usr/bin/env bash
# Makes sure a Docker engine answers: installs docker.io, debootstrap and the test tools when missing, starts dockerd when nothing listens.
set -euo pipefail

need_pkgs=()
command -v dockerd >/dev/null 2>&1 || need_pkgs+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || need_pkgs+=(debootstrap)
command -v tmux >/dev/null 2>&1 || need_pkgs+=(tmux)
# The remote-engine and daemon-fault tests give their second dockerd its own bridge with `ip`.
command -v ip >/dev/null 2>&1 || need_pkgs+=(iproute2)
# The swarm test's nodes pull the sandbox image from registries of the test's own (Debian's; htpasswd for the login one).
command -v docker-registry >/dev/null 2>&1 || need_pkgs+=(docker-registry)
command -v htpasswd >/dev/null 2>&1 || need_pkgs+=(apache2-utils)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  echo "ci: installing ${need_pkgs[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

if docker info >/dev/null 2>&1; then
  echo "ci: docker daemon already answers"
  exit 0
fi

echo "ci: starting dockerd"
log=${DOCKERD_LOG:-/tmp/sandbox-agent-dockerd.log}
nohup dockerd >"$log" 2>&1 &
echo $! >/tmp/sandbox-agent-dockerd.pid
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    echo "ci: dockerd is up"
    exit 0
  fi
  sleep 1
done
echo "ci: dockerd did not answer within 60 s; last lines of $log:" >&2
tail -n 20 "$log" >&2
exit 1
