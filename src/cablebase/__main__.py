"""`python -m cablebase` runs the cablebase command."""

from cablebase.cli import main

main(prog_name="cablebase")
