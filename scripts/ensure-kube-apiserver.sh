#!/usr/bin/env bash
# Makes sure this machine has a kube-apiserver and an etcd for the kubernetes provider's tests, which run the real
# API server. Debian packages etcd but not kube-apiserver: it is built once from Debian's kubernetes source package
# (the upstream tree with its vendor/ folder) with Debian's Go, and the binary is cached outside the repository,
# keyed by version, so a machine that has it skips the build (it takes about 5 to 13 minutes on 2 cores).
# Prints the binary's path on its last line of standard output; everything else goes to standard error. Idempotent.
set -euo pipefail

# The upstream release the tests are written against. Debian's source package for it is bookworm's "kubernetes"
# (1.20.5+really1.20.2-...): its Debian revision may change with point releases, so only the upstream part is checked.
KUBERNETES_VERSION=1.20.2
CACHE_DIR=${PROVIDER_FLEET_CACHE:-/var/cache/provider-fleet}
BINARY="$CACHE_DIR/kube-apiserver-$KUBERNETES_VERSION/kube-apiserver"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >/dev/null \
    || { as_root apt-get update >/dev/null && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >/dev/null; }
}

command -v etcd >/dev/null || { echo "installing etcd" >&2; apt_install etcd-server; }

work=
# Go marks what it caches read-only; made writable so the folder can be removed.
remove_work() { if [ -n "$work" ]; then chmod -R u+w "$work" 2>/dev/null || true; rm -rf "$work"; work=; fi; }

build_kube_apiserver() {
  echo "building kube-apiserver $KUBERNETES_VERSION (once per machine)" >&2
  local started=$SECONDS
  apt_install golang-go rsync make dpkg-dev golang-github-modern-go-reflect2-dev
  work=$(mktemp -d)
  trap remove_work EXIT
  # A private list of sources (and a private apt cache), so that the machine's own apt configuration is left as it
  # is. Downloads are made by this user: the temporary folder is not readable by apt's sandbox user.
  mkdir -p "$work/apt/lists/partial" "$work/apt/cache"
  cat > "$work/apt/src.sources" <<EOF
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  local apt_options=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$work/apt"
    -o "Dir::State::Lists=$work/apt/lists" -o "Dir::Cache=$work/apt/cache" -o APT::Sandbox::User=root)
  apt-get "${apt_options[@]}" update >/dev/null
  (cd "$work" && apt-get "${apt_options[@]}" source --download-only kubernetes >/dev/null)
  local dsc source_version
  dsc=$(cd "$work" && ls kubernetes_*.dsc)
  source_version=${dsc#kubernetes_}
  source_version=${source_version%.dsc}
  case "${source_version%%-*}" in
    "$KUBERNETES_VERSION" | *"really$KUBERNETES_VERSION") ;;
    *) echo "Debian's kubernetes source is $source_version, not upstream $KUBERNETES_VERSION" >&2; exit 1 ;;
  esac
  (cd "$work" && dpkg-source --no-check -x "$dsc" tree >/dev/null)
  # The vendored reflect2 1.0.1 crashes under Go 1.18 and later; Debian's 1.0.2 does not.
  rm -rf "$work/tree/vendor/github.com/modern-go/reflect2"
  cp -r /usr/share/gocode/src/github.com/modern-go/reflect2 "$work/tree/vendor/github.com/modern-go/reflect2"
  # The build runs in GOPATH mode, from the tree's import path.
  mkdir -p "$work/gopath/src/k8s.io"
  ln -s "$work/tree" "$work/gopath/src/k8s.io/kubernetes"
  (cd "$work/gopath/src/k8s.io/kubernetes" && HOME="$work" GOPATH="$work/gopath" GOCACHE="$work/gocache" GOPROXY=off \
    CGO_ENABLED=0 nice make WHAT=cmd/kube-apiserver >&2)
  # Copied under a name of its own and renamed, so a build that stops half-way never leaves a binary to trust.
  as_root mkdir -p "$(dirname "$BINARY")"
  as_root cp "$work/tree/_output/bin/kube-apiserver" "$BINARY.partial.$$"
  as_root mv "$BINARY.partial.$$" "$BINARY"
  remove_work
  echo "built kube-apiserver $KUBERNETES_VERSION from Debian's kubernetes $source_version in $((SECONDS - started)) s" >&2
}

if [ ! -x "$BINARY" ]; then
  # Two runs at once on one machine: the second waits for the first's build instead of building it again.
  exec 9>"${TMPDIR:-/tmp}/provider-fleet-kube-apiserver.lock"
  flock 9
  [ -x "$BINARY" ] || build_kube_apiserver
  flock -u 9
fi
echo "$BINARY"
