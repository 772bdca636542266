"""`python -m cli ...` is `promptimp ...`."""

from cli.app import main

main()
