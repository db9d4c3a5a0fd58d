"""``python -m sklr``: the ``sklr`` command."""

import sys

from .cli import main

sys.exit(main())
