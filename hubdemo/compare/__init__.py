"""Several models (or one model on several providers) behind one input: who they are
(contenders.py) and their answers to one request, side by side (run.py)."""

from .contenders import Contender, Opened, contenders_of, open_all
from .run import Comparison

__all__ = ["Comparison", "Contender", "Opened", "contenders_of", "open_all"]
