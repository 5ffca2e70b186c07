"""The command line: read -> parse -> edit -> write -> exec, and the one place errors end.

The options are the contract of the launcher this project reimplements (see README.md);
they are parsed by hand because two-value options (`-i KEY VALUE`) whose values may start
with '-' and a verbatim tail after `--` are exactly what argparse makes awkward.
"""

from __future__ import annotations

import os
import sys

from fluent_launch import __version__, classic, edit, includes
from fluent_launch.document import FILTER, INPUT, OUTPUT, SERVICE
from fluent_launch.errors import LaunchError, UsageError
from fluent_launch.launch import exec_fluent_bit
from fluent_launch.read import read_config
from fluent_launch.records import Record
from fluent_launch.write import write_atomically

DEFAULT_RUN_PATH = "/fluent-bit/bin/fluent-bit"
DEFAULT_IN_CONFIG = "/fluent-bit/etc/fluent-bit.conf"
DEFAULT_OUT_CONFIG = "/var/alertlogic/lib/fluent-bit/fluent-bit.conf"

USAGE = f"""\
usage: fluent-launch [OPTION]... [-- FLUENT_BIT_ARG...]

Add or override key/value pairs in every [INPUT], [FILTER], [OUTPUT] and [SERVICE]
section of a classic Fluent Bit config, write the result, then exec Fluent Bit as
RUN_PATH -c OUT_CONFIG FLUENT_BIT_ARG...

  -r, --run-path PATH       Fluent Bit executable (default {DEFAULT_RUN_PATH})
  -c, --in-config PATH      config to read (default {DEFAULT_IN_CONFIG})
  -m, --out-config PATH     config to write (default {DEFAULT_OUT_CONFIG})
  -i, --input KEY VALUE     set KEY to VALUE in every [INPUT] section
  -f, --filter KEY VALUE    set KEY to VALUE in every [FILTER] section
  -o, --output KEY VALUE    set KEY to VALUE in every [OUTPUT] section
  -s, --service KEY VALUE   set KEY to VALUE in [SERVICE], creating it if missing
      --inline-includes     replace each @INCLUDE by the file's content, so that
                            the overrides reach included sections too
      --show-secrets        print values of secret-looking keys (passwd, password,
                            secret, token, api_key, credentials) instead of ***
  --                        pass every following argument to Fluent Bit
  -h, --help                show this help and exit
      --version             show the version and exit

Exit status: Fluent Bit's own once it runs; 1 bad config or I/O error;
2 bad launcher arguments; 126 Fluent Bit not executable; 127 Fluent Bit not found.
"""

_PATH_OPTIONS = {
    "-r": "run_path",
    "--run-path": "run_path",
    "-c": "in_config",
    "--in-config": "in_config",
    "-m": "out_config",
    "--out-config": "out_config",
}
_FLAGS = {"--inline-includes": "inline_includes", "--show-secrets": "show_secrets"}
_PAIR_OPTIONS = {
    "-i": INPUT,
    "--input": INPUT,
    "-f": FILTER,
    "--filter": FILTER,
    "-o": OUTPUT,
    "--output": OUTPUT,
    "-s": SERVICE,
    "--service": SERVICE,
}
# Bytes that would end the line or, leading a key, turn the line into another statement.
_KEY_FORBIDDEN = frozenset(b" \t\r\n\v\f\0")
_KEY_FORBIDDEN_FIRST = frozenset(b"[#@")
_VALUE_FORBIDDEN = frozenset(b"\r\n\0")
# Values not printed unless --show-secrets is given: of keys with a word containing one of
# these, or a word ending in "key" (api_key, SharedKey) other than a record field's name
# like Syslog_Message_Key or Log_Key, which Fluent Bit's plugins use throughout.
_SECRET_PARTS = ("passw", "secret", "token", "credential")
_FIELD_NAMES = frozenset(("log", "message", "time", "hostname", "appname", "procid", "msgid", "sd", "tag", "level"))
MASK = "***"
_SHELL_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./-_")


class Options(Record):
    run_path: str
    in_config: str
    out_config: str
    overrides: edit.Overrides
    fluent_bit_args: list[str]
    inline_includes: bool
    show_secrets: bool


def main(argv: list[str] | None = None) -> int:
    try:
        options = parse_args(sys.argv[1:] if argv is None else argv)
        if isinstance(options, str):
            sys.stdout.write(options)
            return 0
        original = read_config(options.in_config)
        document = includes.prepare(classic.parse(original.data, options.in_config), options.inline_includes)
        result = edit.apply(document, options.overrides)
        write_atomically(options.out_config, result.data, original.mode)
        command = [options.run_path, "-c", options.out_config, *options.fluent_bit_args]
        shown = command if options.show_secrets else masked(command)
        print(f"fluent-launch: {summary(options, result)}; exec {_quote(shown)}", file=sys.stderr)
        exec_fluent_bit(command)
    except LaunchError as error:
        print(f"fluent-launch: {error}", file=sys.stderr)
        return error.exit_code


def parse_args(args: list[str]) -> Options | str:
    """The options, or the text to print for --help/--version."""
    paths = {"run_path": DEFAULT_RUN_PATH, "in_config": DEFAULT_IN_CONFIG, "out_config": DEFAULT_OUT_CONFIG}
    overrides: edit.Overrides = {}
    fluent_bit_args: list[str] = []
    flags = dict.fromkeys(_FLAGS.values(), False)
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        if arg == "--":
            fluent_bit_args = args[index:]
            break
        if arg in ("-h", "--help"):
            return USAGE
        if arg == "--version":
            return f"fluent-launch {__version__}\n"
        if arg in _FLAGS:
            flags[_FLAGS[arg]] = True
            continue
        option, inline = arg.split("=", 1) if arg.startswith("--") and "=" in arg else (arg, None)
        if option in _PATH_OPTIONS:
            if inline is None:
                if index >= len(args):
                    raise UsageError(f"{option} needs a path")
                inline = args[index]
                index += 1
            paths[_PATH_OPTIONS[option]] = inline
        elif option in _PAIR_OPTIONS and inline is None:
            if index + 2 > len(args):
                raise UsageError(f"{option} needs a key and a value")
            override = _override(option, args[index], args[index + 1])
            overrides.setdefault(_PAIR_OPTIONS[option], {})[override.key.lower()] = override
            index += 2
        else:
            raise UsageError(f"unknown argument {arg!r}: arguments for Fluent Bit go after '--' (see --help)")
    for option, path in (("-r", paths["run_path"]), ("-c", paths["in_config"]), ("-m", paths["out_config"])):
        if not path:
            raise UsageError(f"{option} needs a non-empty path")
        if option != "-r" and _is_yaml(path):
            # Fluent Bit picks the format from the name alone; the launcher edits only classic.
            raise UsageError(f"{path}: YAML configs are not supported; only the classic format is")
    return Options(
        paths["run_path"],
        paths["in_config"],
        paths["out_config"],
        overrides,
        fluent_bit_args,
        flags["inline_includes"],
        flags["show_secrets"],
    )


def _override(option: str, key_text: str, value_text: str) -> edit.Override:
    key = os.fsencode(key_text)
    # Fluent Bit trims what it reads; trimmed here, the written line reads back as given.
    value = os.fsencode(value_text).strip()
    if not key:
        raise UsageError(f"{option}: empty key")
    if any(byte in _KEY_FORBIDDEN for byte in key):
        raise UsageError(f"{option} {key_text!r}: a key cannot contain whitespace, CR, LF or NUL")
    if key[0] in _KEY_FORBIDDEN_FIRST:
        raise UsageError(f"{option} {key_text!r}: a key cannot start with '[', '#' or '@'")
    if not value:
        raise UsageError(f"{option} {key_text}: empty value")
    if any(byte in _VALUE_FORBIDDEN for byte in value):
        raise UsageError(f"{option} {key_text}: a value cannot contain CR, LF or NUL")
    return edit.Override(key, value)


def _is_yaml(path: str) -> bool:
    # Fluent Bit looks at what follows the path's last '.', as strrchr() finds it.
    return path.rpartition(".")[2].lower() in ("yaml", "yml") and "." in path


def summary(options: Options, result: edit.Result) -> str:
    """What changed, in one line a CloudWatch log shows whole; secret-looking values masked."""
    parts = []
    for kind, done in result.kinds.items():
        pairs = ",".join(
            _pair(os.fsdecode(override.key), os.fsdecode(override.value), options.show_secrets)
            for override in options.overrides[kind].values()
        )
        label = f"[{kind.upper()}]"
        parts.append(f"{label} created with {pairs}" if done.created else f"{done.sections} {label} set {pairs}")
    changes = "; ".join(parts) if parts else "no overrides"
    return f"wrote {options.out_config} from {options.in_config}: {changes}"


def masked(command: list[str]) -> list[str]:
    """Fluent Bit's command line with the values of secret-looking `-p KEY=VALUE` masked."""
    shown = []
    for previous, arg in zip(["", *command], command):
        if previous in ("-p", "--prop"):
            prefix, prop = "", arg
        elif arg.startswith("--prop="):
            prefix, prop = "--prop=", arg[len("--prop=") :]
        else:
            shown.append(arg)
            continue
        key, has_value, value = prop.partition("=")
        shown.append(prefix + _pair(key, value, False) if has_value else arg)
    return shown


def looks_secret(key: str) -> bool:
    words = "".join(char if char.isalnum() else " " for char in key.lower()).split()
    if any(part in word for word in words for part in _SECRET_PARTS):
        return True
    return any(
        word.endswith("key") and not (word == "key" and index > 0 and words[index - 1] in _FIELD_NAMES)
        for index, word in enumerate(words)
    )


def _pair(key: str, value: str, show_secrets: bool) -> str:
    return f"{key}={MASK if not show_secrets and looks_secret(key) else value}"


def _quote(command: list[str]) -> str:
    return " ".join(
        arg if arg and set(arg) <= _SHELL_SAFE else "'" + arg.replace("'", "'\\''") + "'" for arg in command
    )
