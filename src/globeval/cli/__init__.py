"""The `globeval` command line."""
