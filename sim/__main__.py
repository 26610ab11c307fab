"""``python -m sim``: the suanli command."""

import sys

from sim.cli import main

sys.exit(main())
