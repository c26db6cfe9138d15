#!/usr/bin/env bash
# Makes sure this machine has vcsim, the vCenter simulator the vmware provider's tests run. Debian ships govmomi's
# simulator library (golang-github-vmware-govmomi-dev) but not its vcsim command: our own launcher
# (scripts/vcsim/main.go) is built against it with Debian's Go, once per machine, and the binary is cached outside the
# repository, keyed by the library's package version and the launcher's content, so a machine that has that build
# skips it (about a minute cold on 2 cores).
# Prints the binary's path on its last line of standard output; everything else goes to standard error. Idempotent.
set -euo pipefail

cd "$(dirname "$0")"
LAUNCHER=$PWD/vcsim/main.go
CACHE_DIR=${PROVIDER_FLEET_CACHE:-/var/cache/provider-fleet}
PACKAGES=(golang-go golang-github-vmware-govmomi-dev)
# How long to wait for another apt or dpkg run (an unattended upgrade, another build on this machine) to let go of
# its lock before giving up.
APT_LOCK_WAIT_SECONDS=600

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }

# One apt-get run that waits for dpkg's lock; a run that still finds a lock taken (apt-get update's lists lock has no
# wait option) is tried again until APT_LOCK_WAIT_SECONDS have passed. Other failures stop at once.
apt_get() {
  local deadline=$((SECONDS + APT_LOCK_WAIT_SECONDS)) output
  while :; do
    if output=$(as_root env DEBIAN_FRONTEND=noninteractive apt-get -o "DPkg::Lock::Timeout=$APT_LOCK_WAIT_SECONDS" "$@" 2>&1 >/dev/null); then
      return 0
    fi
    if grep -qiE 'could not get lock|unable to (acquire|lock)|is held by process' <<<"$output" && [ "$SECONDS" -lt "$deadline" ]; then
      echo "apt is busy (another run holds its lock); trying again in 10 s" >&2
      sleep 10
      continue
    fi
    echo "$output" >&2
    return 1
  done
}
apt_install() {
  apt_get install -y --no-install-recommends "$@" || { apt_get update && apt_get install -y --no-install-recommends "$@"; }
}

missing=()
for package in "${PACKAGES[@]}"; do installed "$package" || missing+=("$package"); done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing ${missing[*]}" >&2
  apt_install "${missing[@]}"
fi

GOVMOMI_VERSION=$(dpkg-query -W -f='${Version}' golang-github-vmware-govmomi-dev)
LAUNCHER_HASH=$(sha256sum "$LAUNCHER" | cut -c1-12)
BINARY="$CACHE_DIR/vcsim-$GOVMOMI_VERSION-$LAUNCHER_HASH/vcsim"

work=
# Go marks what it caches read-only; made writable so the folder can be removed.
remove_work() { if [ -n "$work" ]; then chmod -R u+w "$work" 2>/dev/null || true; rm -rf "$work"; work=; fi; }

build_vcsim() {
  echo "building vcsim against govmomi $GOVMOMI_VERSION (once per machine)" >&2
  local started=$SECONDS
  work=$(mktemp -d)
  trap remove_work EXIT
  # GOPATH mode against Debian's library tree: the package brings the simulator's dependencies as Debian packages
  # in the same tree, and nothing is fetched.
  (cd "$(dirname "$LAUNCHER")" && HOME="$work" GOPATH=/usr/share/gocode GO111MODULE=off GOCACHE="$work/gocache" GOPROXY=off \
    CGO_ENABLED=0 nice go build -o "$work/vcsim" main.go >&2)
  # Copied under a name of its own and renamed, so a build that stops half-way never leaves a binary to trust.
  as_root mkdir -p "$(dirname "$BINARY")"
  as_root cp "$work/vcsim" "$BINARY.partial.$$"
  as_root mv "$BINARY.partial.$$" "$BINARY"
  remove_work
  echo "built vcsim against govmomi $GOVMOMI_VERSION in $((SECONDS - started)) s" >&2
}

if [ ! -x "$BINARY" ]; then
  # Two runs at once on one machine: the second waits for the first's build instead of building it again.
  exec 9>"${TMPDIR:-/tmp}/provider-fleet-vcsim.lock"
  flock 9
  [ -x "$BINARY" ] || build_vcsim
  flock -u 9
fi
echo "$BINARY"
