"""docs/troubleshooting.md lists every message the launcher can print, and nothing it no longer does.

The messages are read off the source by tests/messages.py (`ast`, every module under
fluent_launch/, however they are laid out). The page lists each message, or message part, as
the first cell of a table row, in a code span; what the code fills in at run time (a file, a
key, a number) the page may write as anything (`FILE`, `KEY`, `N`, `...`): the code's constant
text must appear in the entry, in order, and nothing else.
"""

from __future__ import annotations

import re

from tests.messages import WILD, Template, collect, package_sources, pattern, shown
from tests.paths import REPO

PAGE = REPO / "docs" / "troubleshooting.md"
# A table row whose first cell is one code span: `| `message` | cause | what to do |`.
_ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|", re.MULTILINE)


def listed() -> list[str]:
    return [entry.replace("\\|", "|") for entry in _ROW.findall(PAGE.read_text())]


def missing(messages: set[Template], entries: list[str]) -> list[str]:
    """The messages no entry of the page shows."""
    return sorted(
        shown(message) for message in messages if not any(pattern(message).fullmatch(entry) for entry in entries)
    )


def stale(messages: set[Template], entries: list[str]) -> list[str]:
    """The entries of the page that show no message the code can print."""
    patterns = [pattern(message) for message in messages]
    return [entry for entry in entries if not any(found.fullmatch(entry) for found in patterns)]


def test_every_message_is_listed() -> None:
    absent = missing(collect(package_sources(REPO / "fluent_launch")), listed())
    assert not absent, "docs/troubleshooting.md does not list:\n" + "\n".join(absent)


def test_no_entry_is_stale() -> None:
    old = stale(collect(package_sources(REPO / "fluent_launch")), listed())
    assert not old, "docs/troubleshooting.md lists what the launcher no longer prints:\n" + "\n".join(old)


# Each way the code makes a message today, with one message made that way: if a rewrite
# makes messages in a way the collector no longer follows, the messages vanish from what it
# finds (and would vanish from the check above without a word): this says which way broke.
_WAYS = {
    "raise UsageError(literal)": "--buffer-dir needs a non-empty path",
    "raise ConfigError(path, line, f-string)": "...:...: no file matches @INCLUDE ...",
    "a method returning the error (self.error)": "...:...: a tab in indentation (YAML allows only spaces)",
    "a message passed through two helpers (_check_scalars -> _refuse)": (
        "...:...: env: a variable's values must be scalars, not a list or mapping"
    ),
    "a function returning the error (cannot_run)": "...: Fluent Bit not found (give its path with -r/--run-path)",
    "a module constant as the message": (
        "...:...: a mapping key must be a scalar: Fluent Bit takes no list or mapping as a key"
    ),
    "a helper's returned text as the message (_unknown)": "unknown option ...: did you mean ...? (see --help)",
    "local texts by branch (_forgotten_double_dash)": (
        "unknown argument ...: it is Fluent Bit's; Fluent Bit's options go after '--', as in: "
        "fluent-launch [OPTION]... -- ... ..."
    ),
    "a table of texts (_VALUE_NEEDED.get)": "... needs a size or auto",
    "a part returned into a hole (values.refusal)": "Fluent Bit refuses this value; it takes ...",
    "a part built with += (known.unknown)": (
        "no Fluent Bit version (1.9.10, 4.2.8, 5.1.1) knows ... in the ... ..., which then refuses to start"
    ),
    "a warning yielded": "CloudWatch rejects ... in log ... names (stream names take neither ':' nor '*')",
    "a warning in a returned list comprehension (include_warnings)": (
        "...:...: no file matches the include ...: Fluent Bit includes nothing there"
    ),
    "a warning appended to a record's field (Budgeted.warnings)": (
        "--memory-budget ...: the limits it does not set (-i Mem_Buf_Limit, -s storage.max_chunks_up, included"
        " files') allow Fluent Bit ... MiB in the worst case, over the budget; the buffers it sets got their least"
    ),
    "a warning in a returned list (_over_container)": (
        "the inputs' limits allow Fluent Bit ... MiB in the worst case, over this container's memory limit of ..."
        " MiB (/sys/fs/cgroup/memory.max): it would be killed before its buffers fill; use --memory-budget auto"
    ),
    "a line printed to stderr (the summary)": "wrote ... from ...: no overrides",
}


def test_the_collector_follows_every_way_messages_are_made() -> None:
    found = {shown(message) for message in collect(package_sources(REPO / "fluent_launch"))}
    lost = {way: text for way, text in _WAYS.items() if text not in found}
    assert not lost, f"the collector no longer finds these (a way of making messages it does not follow?): {lost}"


_NEW_MODULE = """
from fluent_launch.errors import ConfigError, UsageError


def _refused(path, message):
    return ConfigError(path, 1, message)


def brand_new(x):
    if x:
        raise UsageError(f"brand new {x} thing")
    raise _refused(x, "a brand new refusal")


def brand_new_warnings(x):
    yield f"a brand new warning about {x}"
"""


def test_a_new_message_is_reported_missing() -> None:
    sources = package_sources(REPO / "fluent_launch")
    sources["somewhere/new.py"] = _NEW_MODULE
    absent = missing(collect(sources), listed())
    assert absent == [
        "...:...: a brand new refusal",
        "a brand new warning about ...",
        "brand new ... thing",
    ]


def test_a_page_entry_shows_a_message_with_anything_for_its_holes() -> None:
    message: Template = ("--check-timeout ", WILD, ": give a number of seconds above 0")
    assert missing({message}, ["--check-timeout SECONDS: give a number of seconds above 0"]) == []
    assert missing({message}, ["--check-timeout SECONDS: give a number above 0"]) != []
    assert stale({message}, ["--check-timeout 'x': give a number of seconds above 0", "gone"]) == ["gone"]
