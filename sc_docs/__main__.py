from sc_docs.cli import run

run()
