"""In-process inference with transformers on the CPU (the ``[local]`` extra).

Nothing here imports torch or transformers at module level: ``hubdemo --help``, ``describe`` and
the remote backends never pay for them.
"""

from __future__ import annotations

import importlib.util

from ..errors import LocalBackendMissing

INSTALL_HINT = (
    "pip install 'hubdemo[local]' (install torch first if you want its CPU build: "
    "pip install torch --index-url https://download.pytorch.org/whl/cpu)"
)


def local_available() -> bool:
    """True when torch and transformers can be imported (checked without importing them)."""
    return all(importlib.util.find_spec(name) is not None for name in ("torch", "transformers"))


def require_local() -> None:
    if not local_available():
        raise LocalBackendMissing(
            f"running models on this machine needs torch and transformers: {INSTALL_HINT}"
        )


def quiet_transformers() -> None:
    """No weight-loading progress bars or advice on the terminal: hubdemo reports loading."""
    from transformers.utils import logging as transformers_logging

    transformers_logging.set_verbosity_error()
    transformers_logging.disable_progress_bar()
