"""`python -m sc_docs`: the same as the `sc-docs` command."""

from sc_docs.cli import run

if __name__ == "__main__":
    run()
