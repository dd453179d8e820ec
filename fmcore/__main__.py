"""``python -m fmcore``: the command line."""

from fmcore.cli import main

main()
