"""`python -m ncorouting ...`"""

import sys

from ncorouting.cli import main

sys.exit(main())
