"""Fluent Bit's own command line (the arguments after `--`), read as its getopt_long() reads it.

Only so far as the diagnostics need: which options are given, with which values, in order.
The option tables are the union of main() in src/fluent-bit.c of 1.9.10, 4.2.8 and 5.1.1.
"""

from __future__ import annotations

from fluent_launch.records import Record

# Short options taking a value ("b:c:dDf:C:i:m:M:o:R:r:F:p:e:t:T:l:vw:qVhJL:HP:s:SWYZ").
_SHORT_WITH_VALUE = frozenset("bcfCimMoRrFpetTlwLPs")
# Long options, mapped to the short letter they stand for (or their own name), and whether
# they take a value.
_LONG = {
    "storage_path": ("b", True),
    "config": ("c", True),
    "daemon": ("d", False),
    "dry-run": ("D", False),
    "flush": ("f", True),
    "http": ("H", False),
    "supervisor": ("supervisor", False),
    "log_file": ("l", True),
    "port": ("P", True),
    "custom": ("C", True),
    "input": ("i", True),
    "processor": ("r", True),
    "filter": ("F", True),
    "output": ("o", True),
    "match": ("m", True),
    "parser": ("R", True),
    "prop": ("p", True),
    "plugin": ("e", True),
    "tag": ("t", True),
    "sp-task": ("T", True),
    "version": ("V", False),
    "verbose": ("v", False),
    "workdir": ("w", True),
    "quiet": ("q", False),
    "help": ("h", False),
    "help-json": ("J", False),
    "coro_stack_size": ("s", True),
    "sosreport": ("S", False),
    "http_server": ("H", False),
    "http_listen": ("L", True),
    "http_port": ("P", True),
    "enable-hot-reload": ("Y", False),
    "enable-fips": ("enable-fips", False),
    "windows_maxstdio": ("M", True),
    "enable-chunk-trace": ("Z", False),
    "trace": ("trace", True),
    "trace-input": ("trace-input", True),
    "trace-output": ("trace-output", True),
    "trace-output-property": ("trace-output-property", True),
    "disable-thread-safety-on-hot-reload": ("W", False),
}
# Options that are Fluent Bit's and not the launcher's: one of these before `--` was meant
# for Fluent Bit.
_FLUENT_BIT_ONLY = frozenset(
    (
        *("-F", "-p", "-e", "-t", "-R", "-b", "-C", "-T", "-l", "-w", "-L", "-P", "-M", "-D", "-H", "-v"),
        *("--prop", "--plugin", "--tag", "--match", "--config", "--parser", "--custom", "--processor", "--flush"),
    )
)


def is_fluent_bits(arg: str) -> bool:
    """Whether `arg` is an option only Fluent Bit has (`-pKEY=VALUE` and `--prop=...` too)."""
    return arg.partition("=")[0] in _FLUENT_BIT_ONLY or (not arg.startswith("--") and arg[:2] in _FLUENT_BIT_ONLY)


class Option(Record):
    """One option as getopt_long() returns it: the short letter (or long name) and its value."""

    name: str
    value: str | None
    at: int  # the index of the argument it started at, counting from the first after `--`


def options(args: list[str]) -> list[Option]:
    """The options in `args`, as Fluent Bit would see them; arguments it would not read as
    options (or could not: unknown, ambiguous) are skipped, as the diagnostics need no more."""
    found = []
    index = 0
    while index < len(args):
        arg = args[index]
        start = index
        index += 1
        if arg == "--":
            break
        if arg.startswith("--"):
            name, has_value, value = arg[2:].partition("=")
            long = _long(name)
            if long is None:
                continue
            letter, takes_value = long
            if takes_value and not has_value:
                if index >= len(args):
                    break
                value = args[index]
                index += 1
            found.append(Option(letter, value if takes_value else None, start))
        elif arg.startswith("-") and len(arg) > 1:
            # Clustered short options (`-vq`); the first taking a value takes the rest or the
            # next argument.
            for at in range(1, len(arg)):
                letter = arg[at]
                if letter not in _SHORT_WITH_VALUE:
                    found.append(Option(letter, None, start))
                    continue
                if at + 1 < len(arg):
                    found.append(Option(letter, arg[at + 1 :], start))
                elif index < len(args):
                    found.append(Option(letter, args[index], start))
                    index += 1
                break
    return found


def _long(name: str) -> tuple[str, bool] | None:
    """getopt_long()'s match: the exact name, else the one long option it abbreviates."""
    if name in _LONG:
        return _LONG[name]
    matches = {_LONG[full] for full in _LONG if full.startswith(name)} if name else set()
    return matches.pop() if len(matches) == 1 else None
