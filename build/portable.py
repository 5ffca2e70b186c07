"""Make PyInstaller's one-dir bundle run in any Linux image: no Python, no shell, any (or no) libc.

    python build/portable.py dist/fluent-launch /var/alertlogic/lib/fluent-bit

Copies every shared library the bundle's ELF files need that PyInstaller left to the system
(glibc's loader and libraries, libz) into the contents directory, then points the
executable's ELF interpreter at the bundled loader and every ELF file's search path at the
contents directory, both as absolute paths under the install directory the deployment fixes.
Nothing is then looked up in the image, not even /proc. Prints the highest GLIBC symbol
version a bundled file needs: it is satisfied by the bundled glibc, whatever the image has.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
from pathlib import Path

_LDD_LINE = re.compile(r"^\s*(?:(\S+) => )?(/\S+) \(0x[0-9a-f]+\)$")
_GLIBC_VERSION = re.compile(r"\bGLIBC_(\d+)\.(\d+)(?:\.(\d+))?\b")
# glibc's own files: used exactly as built (patching them gains nothing and risks much), and
# the source of the GLIBC symbol versions rather than a user of them.
_GLIBC_FILES = ("ld-linux", "libc.so", "libm.so", "libdl.so", "libpthread.so", "librt.so", "libutil.so")


def elf_files(bundle: Path) -> list[Path]:
    return sorted(path for path in bundle.rglob("*") if path.is_file() and path.read_bytes()[:4] == b"\x7fELF")


def needed(elf: Path) -> dict[str, Path]:
    """Every library the loader would map for `elf`, by file name, where this machine has it."""
    listed = subprocess.run(["ldd", str(elf)], capture_output=True, text=True, check=True).stdout
    found = {}
    for line in listed.splitlines():
        match = _LDD_LINE.match(line)
        if match:
            path = Path(match.group(2))
            found[Path(match.group(1) or path).name] = path
    return found


def bundle_libraries(contents: Path, elves: list[Path]) -> list[str]:
    """Copy what is missing into `contents` until nothing is; the names copied."""
    copied: list[str] = []
    pending = list(elves)
    while pending:
        for name, source in needed(pending.pop()).items():
            target = contents / name
            if not target.exists():
                shutil.copy2(source.resolve(), target)
                target.chmod(0o755)
                copied.append(name)
                pending.append(target)
    return copied


def patch(executable: Path, contents: Path, install_contents: str, patchelf: str) -> None:
    loader = next(path.name for path in contents.iterdir() if path.name.startswith("ld-linux"))
    interpreter = f"{install_contents}/{loader}"
    subprocess.run([patchelf, "--set-interpreter", interpreter, str(executable)], check=True)
    for elf in [executable, *elf_files(contents)]:
        if not elf.name.startswith(_GLIBC_FILES):
            # DT_RPATH, not DT_RUNPATH: it also serves the libraries these load in turn.
            subprocess.run([patchelf, "--force-rpath", "--set-rpath", install_contents, str(elf)], check=True)


def highest_glibc_needed(elves: list[Path]) -> tuple[str, str]:
    """The highest GLIBC_x.y a bundled file (glibc's own excepted) asks for, and which file."""
    best: tuple[tuple[int, ...], str, str] = ((0,), "", "")
    for elf in elves:
        if elf.name.startswith(_GLIBC_FILES):
            continue
        symbols = subprocess.run(["objdump", "-T", str(elf)], capture_output=True, text=True, check=True).stdout
        for match in _GLIBC_VERSION.finditer(symbols):
            version = tuple(int(part) for part in match.groups() if part is not None)
            if version > best[0]:
                best = (version, match.group(0), elf.name)
    return best[1], best[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", type=Path, help="PyInstaller's one-dir output (holds the executable)")
    parser.add_argument("install_dir", help="where the executable will be in the image")
    parser.add_argument("--patchelf", default="patchelf")
    options = parser.parse_args()
    executable = options.bundle / options.bundle.name
    contents = options.bundle / f"{options.bundle.name}.d"
    install_contents = f"{options.install_dir.rstrip('/')}/{contents.name}"
    copied = bundle_libraries(contents, [executable, *elf_files(contents)])
    patch(executable, contents, install_contents, options.patchelf)
    version, where = highest_glibc_needed([executable, *elf_files(contents)])
    print(f"bundled from this machine: {', '.join(sorted(copied))}")
    print(f"interpreter and library path: {install_contents}")
    print(f"highest glibc symbol version needed: {version} (by {where}), provided by the bundled glibc")


if __name__ == "__main__":
    main()
