"""``python -m leerlingimport.portal.limited MEMORY CPU -- ARGS``: run the CLI under limits.

The limits are set in this fresh process and then it becomes ``python -m leerlingimport ARGS``
(``os.execv``), so the multi-threaded web server never runs code between fork and exec.
"""

from __future__ import annotations

import os
import resource
import sys


def main(argv: list[str]) -> None:
    memory, cpu, separator, *args = argv
    assert separator == "--", "usage: limited MEMORY CPU -- ARGS"
    resource.setrlimit(resource.RLIMIT_AS, (int(memory), int(memory)))
    resource.setrlimit(resource.RLIMIT_CPU, (int(cpu), int(cpu)))
    os.execv(sys.executable, [sys.executable, "-m", "leerlingimport", *args])


if __name__ == "__main__":
    main(sys.argv[1:])
