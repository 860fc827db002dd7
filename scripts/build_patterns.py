"""Lemmatise the shipped taxonomy's terms once: models/taxonomy/patterns.json.gz (``make patterns``).

matchstage uses that file instead of lemmatising some ten thousand terms at the start of a run that has no
cache yet, as long as its version is current (the taxonomy, the analysis code and the French pipeline it was
built with). Run it after changing models/taxonomy/*.toml or the analysis; tests/test_facets.py fails while
the file is out of date.

    .venv/bin/python scripts/build_patterns.py [--check]
"""

from __future__ import annotations

import argparse
import sys

from matchstage.analysis.concepts import SHIPPED_PATTERNS, ConceptMatcher
from matchstage.analysis.lemmas import Analyzer
from matchstage.analysis.taxonomy import load_taxonomy


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the shipped file is out of date")
    args = parser.parse_args()
    taxonomy = load_taxonomy()
    if args.check:
        fresh = ConceptMatcher.shipped(taxonomy) is not None
        print(f"{SHIPPED_PATTERNS}: {'up to date' if fresh else 'out of date: run make patterns'}")
        return 0 if fresh else 1
    matcher = ConceptMatcher.compile(taxonomy, Analyzer())
    matcher.write()
    print(f"wrote {SHIPPED_PATTERNS}: {len(matcher.patterns)} patterns for {len(taxonomy)} concepts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
