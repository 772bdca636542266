"""`python -m promptimp` runs the command line."""

from promptimp.cli import main

main()
