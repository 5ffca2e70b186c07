"""Where the shared reference material and the repository's own files are."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# The project's shared/ folder sits beside the checkout, in CI as on a developer machine.
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
VECTORS = SHARED / "vectors"
# What each Fluent Bit version made of the corpus; `VECTORS` is 4.2.8's, the launcher's model.
VECTOR_SETS = {"4.2.8": VECTORS, "5.1.1": SHARED / "vectors-5.1.1", "1.9.10": SHARED / "vectors-1.9.10"}
EXAMPLES = REPO / "examples"
