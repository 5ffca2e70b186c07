"""The entry point of `python -m fluent_launch` and of the frozen binary."""

import gc
import sys

# Before the imports too (cli.main turns the collector off for the installed command, whose
# imports come before it): a collection while they unmarshal the launcher's code was a fifth
# of a millisecond of every start.
gc.disable()

from fluent_launch.cli import main  # noqa: E402

sys.exit(main())
