"""`python -m service.rpc`: the gRPC server, with the flags of `newsdesk serve`."""

import sys

from .process import main

sys.exit(main())
