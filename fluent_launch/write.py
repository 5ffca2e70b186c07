"""Write the edited config atomically: readers see the old file or the new one, never half."""

from __future__ import annotations

import os

from fluent_launch.errors import LaunchError

# Group and others never get write access, whatever the input allowed.
_MODE_MASK = 0o644
# A new temporary name is tried this many times when a cleaner took the one just made.
_ATTEMPTS = 8


def write_atomically(path: str, data: bytes, mode: int) -> None:
    """Replace `path` with `data`; the file gets `mode` less any write bit for group/others.

    A temporary file in the same directory is written and renamed over the target. Neither
    the file nor the rename is made durable with an fsync: the file lives as long as the task,
    every start of the task writes it again before Fluent Bit reads it (from the same page
    cache, so a write-back that fails later cannot change what it reads), and a network file
    system reports a failed flush at close(), which is checked. The file's fsync was most of
    what a task's start waits for (0.2-0.3 ms of the median, and most of the slow starts).

    rename() replaces a symlink planted at the target instead of following it, and
    O_EXCL|O_NOFOLLOW keep the temporary file from being anything but our own new file.
    Each writer holds a lock on its temporary file until it is renamed, so one that finds
    an unlocked temporary file of the same target knows its writer died and removes it.
    The locks are POSIX record locks (os.lockf): flock() would need the fcntl extension
    module, whose loading is a tenth of a millisecond of every task's start. They are held
    per process, which is enough: a launcher cleans up before it makes its own file.
    """
    directory, name = os.path.split(os.path.abspath(path))
    try:
        os.makedirs(directory, mode=0o755, exist_ok=True)
    except FileExistsError:
        raise LaunchError(f"{path}: cannot create its directory: {directory} is not a directory") from None
    except OSError as error:
        raise LaunchError(f"{path}: cannot create its directory: {error.strerror}") from None
    prefix = f".{name}."
    _remove_abandoned(directory, prefix)
    fd, temporary = _create_locked(directory, prefix, path)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fchmod(fd, mode & _MODE_MASK)
        finally:
            os.close(fd)
        os.replace(temporary, path)
    except OSError as error:
        try:
            os.unlink(temporary)
        except OSError:
            pass  # nothing more can be done if it cannot go
        raise LaunchError(f"{path}: cannot write: {error.strerror}") from None


def _create_locked(directory: str, prefix: str, path: str) -> tuple[int, str]:
    """A new temporary file, locked, that is still the one at its name once locked."""
    for _ in range(_ATTEMPTS):
        # The PID alone repeats across containers (PID 1 everywhere), hence the random part.
        temporary = os.path.join(directory, f"{prefix}{os.getpid()}.{os.urandom(4).hex()}.tmp")
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        except OSError as error:
            raise LaunchError(f"{path}: cannot write in {directory}: {error.strerror}") from None
        try:
            os.lockf(fd, os.F_LOCK, 0)
        except OSError:
            return fd, temporary  # a filesystem without locks: no cleaner can have taken it either
        if _same_file(temporary, fd):
            return fd, temporary
        os.close(fd)  # another launcher's cleanup removed it between our open and our lock
    raise LaunchError(f"{path}: cannot write in {directory}: temporary files keep disappearing")


def _remove_abandoned(directory: str, prefix: str) -> None:
    """Remove temporary files of this target whose writer was killed before renaming them."""
    try:
        names = [entry for entry in os.listdir(directory) if entry.startswith(prefix) and entry.endswith(".tmp")]
    except OSError:
        return
    for entry in names:
        leftover = os.path.join(directory, entry)
        try:
            # Writable: lockf() locks only what it could write.
            fd = os.open(leftover, os.O_RDWR | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            # Held by a live writer: not ours to touch. Once we hold it, no writer can start
            # using this file (see _create_locked), so it goes while we still hold the lock.
            os.lockf(fd, os.F_TLOCK, 0)
            if _same_file(leftover, fd):
                os.unlink(leftover)
        except OSError:
            pass
        finally:
            os.close(fd)


def _same_file(name: str, fd: int) -> bool:
    try:
        return os.stat(name, follow_symlinks=False).st_ino == os.fstat(fd).st_ino
    except OSError:
        return False
