"""``hubdemo smoke`` and ``serve --check``: prove that a model's demo works, example by example
(run.py), with built-in samples where a card has none (samples.py), outputs checked against
their schema and their meaning (checks.py), and JUnit/JSON reports (reports.py)."""
