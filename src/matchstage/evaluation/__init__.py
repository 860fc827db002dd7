"""Evaluation: takes rankings and graded relevance (qrels) and gives nDCG and MAP, for matchstage and for two
baselines run on the same text (TF-IDF on raw words, BM25 on lemmas)."""
