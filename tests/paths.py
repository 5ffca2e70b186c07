"""Where the shared reference material and the repository's own files are."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# The project's shared/ folder sits beside the checkout, in CI as on a developer machine.
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
VECTORS = SHARED / "vectors"
EXAMPLES = REPO / "examples"
