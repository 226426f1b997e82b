"""hubdemo as a Gradio *server*: Gradio's client protocol on ``hubdemo serve`` (routes.py)."""

from __future__ import annotations

from .routes import GradioProtocol

__all__ = ["GradioProtocol"]
