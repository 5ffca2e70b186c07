"""Write the edited config atomically: readers see the old file or the new one, never half."""

from __future__ import annotations

import os

from fluent_launch.errors import LaunchError

# Group and others never get write access, whatever the input allowed.
_MODE_MASK = 0o644


def write_atomically(path: str, data: bytes, mode: int) -> None:
    """Replace `path` with `data`; the file gets `mode` less any write bit for group/others.

    A temporary file in the same directory is written, flushed to disk and renamed over the
    target. rename() replaces a symlink planted at the target instead of following it, and
    O_EXCL|O_NOFOLLOW keep the temporary file from being anything but our own new file.
    """
    directory, name = os.path.split(os.path.abspath(path))
    try:
        os.makedirs(directory, mode=0o755, exist_ok=True)
    except OSError as error:
        raise LaunchError(f"{path}: cannot create its directory: {error.strerror}") from None
    # The PID alone repeats across containers (PID 1 everywhere), hence the random part.
    temporary = os.path.join(directory, f".{name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError as error:
        raise LaunchError(f"{path}: cannot write in {directory}: {error.strerror}") from None
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fchmod(fd, mode & _MODE_MASK)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, path)
    except OSError as error:
        try:
            os.unlink(temporary)
        except OSError:
            pass  # nothing more can be done if it cannot go
        raise LaunchError(f"{path}: cannot write: {error.strerror}") from None
    _sync_directory(directory)


def _sync_directory(directory: str) -> None:
    # Makes the rename itself durable; some filesystems cannot open a directory for this.
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
