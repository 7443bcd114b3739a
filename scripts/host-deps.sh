#!/usr/bin/env bash
# Install the system packages phonebank needs on Debian 12 (bookworm), once.
# Idempotent: packages already present are not touched, and apt is not called at all when
# nothing is missing. Not root? It prints the one command to run instead.
set -euo pipefail

# podman + runc run the Asterisk containers (runc: crun refuses hybrid-cgroup hosts);
# debootstrap builds the Debian sid base image when no container registry is reachable;
# postgresql is the real server the store tests start; redis-server backs scale-out tests;
# chromium drives browser tests; python3-venv builds the virtualenv.
PACKAGES=(podman runc debootstrap postgresql redis-server chromium chromium-driver python3-venv
          ca-certificates make)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "phonebank needs these Debian packages: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null; then
  echo "phonebank's setup expects Debian 12 (apt-get); install the equivalents of: ${missing[*]}" >&2
  exit 1
fi

echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# No service is needed at boot: the tests start their own PostgreSQL and Redis.
apt-get install -y -q --no-install-recommends "${missing[@]}"
