"""Read the original config and the files it includes, bounded so that a wrong path (/dev/zero,
a FIFO) or a loop of includes cannot hang or eat the task."""

from __future__ import annotations

import os
import stat

from fluent_launch import stack
from fluent_launch.errors import LaunchError
from fluent_launch.records import TYPE_CHECKING, Record

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TypeVar

    T = TypeVar("T")

# Far above any real config (FireLens writes ~2 KB), far below a sidecar's memory.
MAX_CONFIG_BYTES = 64 * 1024 * 1024
# flb_cf_fluentbit.c: FLB_CF_FILE_NUM_LIMIT, counting the main config.
MAX_FILES = 1000
_TOO_LARGE = f"larger than {MAX_CONFIG_BYTES // (1024 * 1024)} MiB, not read"


class Original(Record):
    data: bytes
    mode: int  # its permission bits, which the written config may narrow but never widen


# The config file read last: what an error the launcher did not expect names (see cli.main).
last_path = ""


def read_config(path: str) -> Original:
    """The file's bytes; only a regular file (or a symlink to one) is read.

    A FIFO would block the open until some writer came, and a device never ends: both are
    refused before a byte is read. O_NONBLOCK lets the open itself return on a FIFO.
    """
    global last_path
    last_path = path
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise LaunchError(f"{path}: no such file (choose the config to read with -c/--in-config)") from None
    except OSError as error:
        raise LaunchError(f"{path}: cannot read: {error.strerror}") from None
    try:
        status = os.fstat(fd)
        if stat.S_ISDIR(status.st_mode):
            raise LaunchError(f"{path}: is a directory, not a config file")
        if not stat.S_ISREG(status.st_mode):
            raise LaunchError(f"{path}: not a regular file ({_file_type(status.st_mode)}), not read")
        if status.st_size > MAX_CONFIG_BYTES:
            raise LaunchError(f"{path}: {_TOO_LARGE}")
        chunks = []
        left = MAX_CONFIG_BYTES + 1  # the file may grow while it is read
        unread = status.st_size + 1  # a byte more, to see the end
        while left > 0:
            # Usually one read of the whole file, which join() then returns without a copy. The
            # read that finds the end asks for no more than the rest: an empty buffer of the file's
            # size, freed, would have malloc keep what is later allocated on its heap, for good.
            chunk = os.read(fd, min(left, max(unread, 64 * 1024)))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
            unread -= len(chunk)
    except OSError as error:
        raise LaunchError(f"{path}: cannot read: {error.strerror}") from None
    finally:
        os.close(fd)
    if left <= 0:
        raise LaunchError(f"{path}: {_TOO_LARGE}")
    return Original(b"".join(chunks), stat.S_IMODE(status.st_mode))


def _file_type(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "a block device" if stat.S_ISBLK(mode) else "not a file"


def nested(call: Callable[[], T]) -> T:
    """call(), which follows includes recursively, with room for MAX_FILES of them nested (a
    few frames each, and Fluent Bit allows 1000 files nested as deep as they like)."""
    return stack.nested(call, 4 * MAX_FILES)


def resolve(path: bytes, root: str) -> bytes:
    # read_config(): the path as given if stat() finds it (or fails otherwise than ENOENT).
    try:
        os.stat(path)
    except FileNotFoundError:
        return os.fsencode(os.path.join(root, os.fsdecode(path)))
    except OSError:
        pass
    return os.fsencode(os.path.abspath(os.fsdecode(path)))
