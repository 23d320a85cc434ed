"""`python -m translator.cli`: the `translator` command, where its script is not on the PATH."""

from translator.cli import main

main()
