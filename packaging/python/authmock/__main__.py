"""`python -m authmock ARGS`: the bundled binary, as `authmock ARGS` on PATH runs it."""

import os
import subprocess
import sys

from authmock import find_binary


def main():
    binary = find_binary()
    if os.name == "posix":
        os.execv(binary, [binary, *sys.argv[1:]])
    sys.exit(subprocess.call([binary, *sys.argv[1:]]))


if __name__ == "__main__":
    main()
