"""One module per `sc-docs` command; each exposes a click command registered in `sc_docs.cli`."""
