# Shared by scripts/run, scripts/test, scripts/fuzz and bench/: installs what
# is missing (Debian packages, npm test tools) and builds lakepipe.
# Works as root and as a user with sudo. Source it; do not run it.

set -euo pipefail

LAKEPIPE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${LAKEPIPE_BUILD_DIR:-$LAKEPIPE_ROOT/build}"

# Packages needed to build and test (runtime libraries come with the -dev packages).
BUILD_PACKAGES=(
  g++ cmake make pkg-config git ca-certificates
  libzstd-dev libsnappy-dev zlib1g-dev liblz4-dev libbrotli-dev libbz2-dev liblzma-dev
  libsimdjson-dev nlohmann-json3-dev
  libfmt-dev libcli11-dev libgtest-dev
  libcurl4-openssl-dev libssl-dev librdkafka-dev libyaml-cpp-dev libcpp-httplib-dev
  libsqlite3-dev
)
TEST_PACKAGES=(time zstd bzip2 xz-utils kcat openssl chromium sqlite3)

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "error: need root or sudo to install Debian packages: $*" >&2
    exit 1
  fi
}

# install_packages PKG... : apt-get installs the packages that are not installed yet.
install_packages() {
  local missing=()
  for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! as_root apt-get install -y -q --no-install-recommends "${missing[@]}"; then
    as_root apt-get update -q
    as_root apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
}

# install_npm_tools: Node.js (Debian's, unless one is installed already) and
# the independent readers the tests compare against.
install_npm_tools() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    install_packages nodejs npm
  fi
  local dir="$LAKEPIPE_ROOT/tests"
  local stamp="$dir/node_modules/.lakepipe-lock"
  if [ -f "$stamp" ] && cmp -s "$dir/package-lock.json" "$stamp"; then
    return 0
  fi
  log "installing npm test tools (tests/package.json)"
  # Versions are pinned in package.json and package-lock.json. `npm install
  # --no-save` follows the lock without rewriting it; `npm ci` would insist
  # on lock entries for other platforms' optional DuckDB bindings.
  (cd "$dir" && npm install --no-save --no-audit --no-fund --loglevel=error)
  cp "$dir/package-lock.json" "$stamp"
}

# build [cmake args...]: configures (Release unless told) and builds everything.
build() {
  log "building lakepipe in $BUILD_DIR"
  cmake -S "$LAKEPIPE_ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE="${LAKEPIPE_BUILD_TYPE:-Release}" "$@" >/dev/null
  cmake --build "$BUILD_DIR" -j"$(nproc)"
}
