"""CHANGELOG.md keeps up with the version: its newest entry is the version the launcher prints."""

from __future__ import annotations

import re

from fluent_launch import __version__
from tests.paths import REPO

# Keep a Changelog's release headings: "## [1.2.3] - 2026-11-27", or "- Unreleased" until then.
_RELEASE = re.compile(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2}|Unreleased)$", re.MULTILINE)


def test_newest_entry_is_the_version() -> None:
    releases = _RELEASE.findall((REPO / "CHANGELOG.md").read_text())
    assert releases, "CHANGELOG.md has no release heading"
    assert releases[0][0] == __version__


def test_versions_go_down() -> None:
    releases = _RELEASE.findall((REPO / "CHANGELOG.md").read_text())
    versions = [tuple(int(part) for part in version.split(".")) for version, _ in releases]
    assert versions == sorted(versions, reverse=True) and len(set(versions)) == len(versions)
    assert all(date != "Unreleased" for _, date in releases[1:]), "only the newest entry may be unreleased"
