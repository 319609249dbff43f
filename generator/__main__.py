"""Allow ``python -m mlfolio``."""

from __future__ import annotations

import sys

from mlfolio.cli.main import main

sys.exit(main())
