"""The field boosts of relevance: a title counts twice (words mode and exact mode alike)."""

TITLE_BOOST = 2.0
WORD_FIELD_BOOST = {"words": 1.0, "title": TITLE_BOOST}  # a title word counts twice
