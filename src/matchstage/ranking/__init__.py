"""Ranking: takes the offers' and candidates' profiles and gives scores per facet and overall, with the
concepts matched and missing that explain them, the candidates x offers matrix and a suggested assignment."""
