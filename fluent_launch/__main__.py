import sys

from fluent_launch.cli import main

sys.exit(main())
