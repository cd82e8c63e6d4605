"""``python -m leerlingimport``."""

import sys

from leerlingimport.cli import main

sys.exit(main())
