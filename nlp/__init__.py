"""Vietnamese NLP for Lắng Nghe: a pure library (text in, predictions out; no database).

Entry points: ``nlp.analyzer.Analyzer`` (what the product calls), ``nlp.normalize``,
``nlp.segment``, ``nlp.pipeline``, ``nlp.artifacts``, ``nlp.claims``, ``nlp.active``.
"""
