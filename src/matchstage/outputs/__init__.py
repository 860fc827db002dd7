"""Outputs: takes a match result and gives what a person reads or keeps: the terminal table, CSV, JSON, the
HTML report, blind pseudonyms, the inspection of one file, and the progress bar."""
