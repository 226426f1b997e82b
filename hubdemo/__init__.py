"""hubdemo: any Hugging Face Hub model as a web demo, an HTTP API and a CLI."""

from __future__ import annotations

__version__ = "0.1.0"
