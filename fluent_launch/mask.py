"""Secret-looking values masked in what the launcher prints: its summary, Fluent Bit's command
line, and `--diff`."""

from __future__ import annotations

# Values not printed unless --show-secrets is given: of keys with a word containing one of
# these, or a word ending in "key" (api_key, SharedKey) other than a record field's name
# like Syslog_Message_Key or Log_Key, which Fluent Bit's plugins use throughout.
_SECRET_PARTS = ("passw", "secret", "token", "credential")
_FIELD_NAMES = frozenset(("log", "message", "time", "hostname", "appname", "procid", "msgid", "sd", "tag", "level"))
MASK = "***"


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
        shown.append(prefix + pair(key, value, False) if has_value else arg)
    return shown


def looks_secret(key: str) -> bool:
    """Whether the key's value is kept out of what the launcher prints."""
    words = "".join(char if char.isalnum() else " " for char in key.lower()).split()
    if any(part in word for word in words for part in _SECRET_PARTS):
        return True
    return any(
        word.endswith("key") and not (word == "key" and index > 0 and words[index - 1] in _FIELD_NAMES)
        for index, word in enumerate(words)
    )


def pair(key: str, value: str, show_secrets: bool) -> str:
    return f"{key}={MASK if not show_secrets and looks_secret(key) else value}"
