#!/usr/bin/env bash
# Makes sure PostgreSQL and Redis are installed and running on this machine (Debian), starting what is stopped, that
# Debian's Chromium is installed for the browser tests (which never download a browser of their own), and that
# Debian's Prometheus is installed for the kubernetes metrics tests (which start their own servers; none is left running),
# and that ip and unshare are there for the test that runs servers on hosts of its own.
# Idempotent: does nothing when all are there and running.
set -euo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >/dev/null \
    || { as_root apt-get update >/dev/null && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >/dev/null; }
}

pg_ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
if ! pg_ready; then
  if ! command -v pg_ctlcluster >/dev/null || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
    echo "installing PostgreSQL"
    apt_install postgresql
  fi
  echo "starting PostgreSQL"
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do pg_ready && break; sleep 1; done
  pg_ready || { echo "PostgreSQL did not start" >&2; exit 1; }
fi

redis_ready() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }
if ! redis_ready; then
  if ! command -v redis-server >/dev/null; then
    echo "installing Redis"
    apt_install redis-server
  fi
  echo "starting Redis"
  as_root mkdir -p /var/lib/redis /var/log/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 30); do redis_ready && break; sleep 1; done
  redis_ready || { echo "Redis did not start" >&2; exit 1; }
fi
echo "PostgreSQL and Redis are running"

if [ ! -x /usr/bin/chromium ]; then
  echo "installing Chromium"
  # With its recommended packages: they bring the fonts that pages and screenshots are drawn with.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >/dev/null \
    || { as_root apt-get update >/dev/null && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >/dev/null; }
fi

if ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null; then
  echo "installing Prometheus"
  apt_install prometheus
fi

# The test of fleet servers on separate hosts builds them from network namespaces (ip netns, veth, a bridge) with
# hostnames of their own (unshare --uts).
if ! command -v ip >/dev/null || ! command -v unshare >/dev/null; then
  echo "installing iproute2 and util-linux"
  apt_install iproute2 util-linux
fi
