"""Read the original config, bounded so that a wrong path (/dev/zero) cannot eat the task."""

from __future__ import annotations

import os

from fluent_launch.errors import LaunchError
from fluent_launch.records import Record

# Far above any real config (FireLens writes ~2 KB), far below a sidecar's memory.
MAX_CONFIG_BYTES = 64 * 1024 * 1024


class Original(Record):
    data: bytes
    mode: int  # its permission bits, which the written config may narrow but never widen


def read_config(path: str) -> Original:
    try:
        with open(path, "rb") as stream:
            mode = os.fstat(stream.fileno()).st_mode & 0o7777
            data = stream.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        raise LaunchError(f"{path}: no such file (choose the config to read with -c/--in-config)") from None
    except IsADirectoryError:
        raise LaunchError(f"{path}: is a directory, not a config file") from None
    except OSError as error:
        raise LaunchError(f"{path}: cannot read: {error.strerror}") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise LaunchError(f"{path}: larger than {MAX_CONFIG_BYTES // (1024 * 1024)} MiB, not read")
    return Original(data, mode)
