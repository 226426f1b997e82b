"""hubdemo: any Hugging Face Hub model as a web demo, an HTTP API and a CLI.

From Python: ``hubdemo.load("google/vit-base-patch16-224").predict("cat.jpg")``; see
hubdemo/demo.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Demo", "__version__", "load"]

if TYPE_CHECKING:
    from .demo import Demo, load


def __getattr__(name: str) -> Any:
    # The API imports the server's modules: loaded on first use, so `import hubdemo` (and the
    # CLI's start) stays quick.
    if name in ("Demo", "load"):
        from . import demo

        return getattr(demo, name)
    raise AttributeError(f"module 'hubdemo' has no attribute {name!r}")
