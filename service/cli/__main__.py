"""`python -m service.cli`: as the `newsdesk` command."""

import sys

from . import main

sys.exit(main())
