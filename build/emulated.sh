#!/usr/bin/env bash
# build/build.sh for another architecture (ARCH=arm64 bash build/build.sh runs this): the same
# build, unchanged, inside a Debian root of that architecture that runs here under qemu's
# user-mode emulation. As root (it mounts, chroots and runs debootstrap).
#   - Emulation: binfmt_misc is mounted and qemu's handler registered when they are not; the
#     handler must have the F flag (its interpreter opened at registration), or nothing of that
#     architecture runs inside a chroot. Anything missing ends the build with one line saying
#     what, never with a bundle of the wrong architecture.
#   - The root: Debian bookworm minbase with Python and binutils, made by debootstrap from the
#     mirror apt here uses, cached in ROOTS (default /var/cache/fluent-launch) and made again
#     when missing or unfinished. It is a cache: nothing needs it to exist beforehand.
#   - The build: in a private mount namespace (so its mounts end with it) the checkout is
#     bind-mounted read-only into the root and DIST writable. It sees none of this machine's
#     environment but its proxy settings, and the root trusts the CAs this machine trusts (a
#     TLS-inspecting proxy's included), so pip reaches PyPI from the root as from here.
set -euo pipefail
cd "$(dirname "$0")/.."
arch=${ARCH:?ARCH names the architecture to build for (arm64)}
dist=$(realpath -m "${DIST:-dist/$arch}")
suite=bookworm
# What the build needs in the root (as the Dockerfile's builder installs it); part of the
# cache's stamp, so that a change here makes the root again.
packages=python3,python3-venv,libpython3.11,binutils
root=${ROOTS:-/var/cache/fluent-launch}/$arch-root
stamp="debootstrap --arch=$arch --variant=minbase --include=$packages $suite"

fail() {
  echo "build/emulated.sh: cannot build for $arch here: $*" >&2
  exit 1
}

case $arch in
  arm64) qemu=aarch64 ;;
  *) fail "ARCH must be arm64 (the only other architecture Fargate runs)" ;;
esac
[ "$(id -u)" = 0 ] || fail "needs root (binfmt_misc, debootstrap, chroot and mounts)"

# 1. Emulation. The handler qemu-user-static installs in /usr/lib/binfmt.d is registered as it
# is there (flags O, P and F) and enabled; one registered with other flags is used only if it has F.
binfmt=/proc/sys/fs/binfmt_misc
handler=/usr/lib/binfmt.d/qemu-$qemu.conf
[ -f "$handler" ] || fail "no $handler: apt-get install qemu-user-static"
if [ ! -e "$binfmt/register" ]; then
  mount -t binfmt_misc binfmt_misc "$binfmt" || fail "binfmt_misc cannot be mounted at $binfmt"
fi
if [ ! -e "$binfmt/qemu-$qemu" ]; then
  cat "$handler" >"$binfmt/register" || fail "qemu's handler cannot be registered in $binfmt"
fi
if ! grep -qx enabled "$binfmt/qemu-$qemu"; then
  echo 1 >"$binfmt/qemu-$qemu" || fail "$binfmt/qemu-$qemu is disabled and cannot be enabled"
fi
grep -q '^flags: .*F' "$binfmt/qemu-$qemu" || fail "$binfmt/qemu-$qemu lacks flag F: it cannot run in a chroot"

# 2. The root, made in a sibling directory and renamed when complete, so an interrupted
# debootstrap is never mistaken for a root. One build at a time uses it (the lock is held
# until this script ends).
mkdir -p "$(dirname "$root")"
exec 9>"$root.lock"
flock 9
if [ "$(cat "$root/.fluent-launch-stamp" 2>/dev/null)" != "$stamp" ]; then
  mirror=${MIRROR:-$(apt-get indextargets --no-release-info --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' \
    'Identifier: Packages' | awk -v suite="$suite" '$2 == suite && $3 == "main" { print $1; exit }')}
  [ -n "$mirror" ] || fail "apt's sources name no mirror of Debian $suite main: set MIRROR"
  command -v debootstrap >/dev/null || fail "no debootstrap: apt-get install debootstrap"
  echo "build/emulated.sh: making the $arch root in $root from $mirror (a few minutes, once)"
  rm -rf "$root" "$root.new"
  # shellcheck disable=SC2086 # the stamp is the command's arguments
  debootstrap ${stamp#debootstrap } "$root.new" "$mirror" >"$root.log" 2>&1 \
    || { tail -n 20 "$root.log" >&2; fail "debootstrap failed (log: $root.log)"; }
  echo "$stamp" >"$root.new/.fluent-launch-stamp"
  mv "$root.new" "$root"
fi
chroot "$root" /bin/true 2>/dev/null || fail "$root does not run: emulation of $arch is broken"

# 3. The build: build/build.sh in the root, its venv kept in the root (the cache) between runs.
mkdir -p "$dist" "$root/src" "$root/dist"
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
mapfile -t proxies < <(env | grep -iE '^(https?|ftp|no|all)_proxy=' || true)
environment=(HOME=/root LANG=C.UTF-8 PATH=/usr/sbin:/usr/bin:/sbin:/bin "${proxies[@]}" DIST=/dist VENV=/opt/build-venv
  INSTALL_DIR="${INSTALL_DIR:-/var/alertlogic/lib/fluent-bit}" ENTRY="${ENTRY:-fluent_launch/__main__.py}")
unshare -m sh -euc '
  mount -t proc proc "$1/proc"
  mount --rbind /dev "$1/dev"
  mount --rbind /sys "$1/sys"
  mount --bind -o ro "$PWD" "$1/src"
  mount --bind "$2" "$1/dist"
  root=$1
  shift 2
  exec chroot "$root" env -i "$@" bash /src/build/build.sh
' emulated "$root" "$dist" "${environment[@]}"
