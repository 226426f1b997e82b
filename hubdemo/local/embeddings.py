"""feature-extraction and sentence-similarity from one loaded encoder.

A sentence-transformers model (``modules.json``) gives one pooled vector per text, pooled the
way its ``1_Pooling/config.json`` says and normalised when its modules include Normalize — the
router's answer for such models. Any other encoder gives its token embeddings, as the router
does for plain transformers models. Texts of all the requests in a batch go through the model
in one forward pass.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import LocalModelError
from .common import Json, Runner

# The sentence-transformers modules applied here; any other (Dense, ...) is refused, not skipped.
KNOWN_MODULES = ("Transformer", "Pooling", "Normalize")


# Texts per forward pass (see Encoder.encode).
ENCODE_BATCH = 32


class Encoder:
    def __init__(self, model_dir: Path) -> None:
        from transformers import AutoModel, AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(model_dir)
        self.model = AutoModel.from_pretrained(model_dir).eval()
        self.pooling: str | None = None
        self.normalize = False
        modules = model_dir / "modules.json"
        if modules.is_file():
            listed = json.loads(modules.read_text(encoding="utf-8"))
            types = [str(m.get("type", "")) for m in listed if isinstance(m, dict)]
            unknown = [t for t in types if not t.endswith(KNOWN_MODULES)]
            if unknown:
                raise LocalModelError(
                    f"this sentence-transformers model has modules hubdemo does not apply yet "
                    f"({', '.join(unknown)}); serve it through the router or a TEI endpoint"
                )
            self.normalize = any(t.endswith("Normalize") for t in types)
            self.pooling = "mean"
            for module in listed:
                if str(module.get("type", "")).endswith("Pooling"):
                    self.pooling = _pooling_mode(model_dir / module.get("path", "1_Pooling"))
        self.max_length = min(512, int(self.tokenizer.model_max_length or 512))

    @property
    def sentence_level(self) -> bool:
        return self.pooling is not None

    def encode(self, texts: list[str], normalize: bool | None = None) -> Any:
        """Pooled vectors [n, d] (sentence models) or a list of [tokens, d] tensors. The texts
        go through the model ENCODE_BATCH at a time: memory grows with the batch's size times
        its longest text, so 400 long texts at once would take gigabytes."""
        import torch

        parts = [
            self._encode(texts[start : start + ENCODE_BATCH], normalize)
            for start in range(0, len(texts), ENCODE_BATCH)
        ]
        if self.pooling is None:
            return [tensor for part in parts for tensor in part]
        return torch.cat(parts) if len(parts) > 1 else parts[0]

    def _encode(self, texts: list[str], normalize: bool | None) -> Any:
        import torch

        encoded = self.tokenizer(
            texts,
            padding=True,
            truncation=True,
            max_length=self.max_length,
            return_tensors="pt",
        )
        with torch.inference_mode():
            tokens = self.model(**encoded).last_hidden_state
        mask = encoded["attention_mask"]
        if self.pooling is None:
            return [tokens[i, : int(mask[i].sum())] for i in range(len(texts))]
        weights = mask.unsqueeze(-1).to(tokens.dtype)
        if self.pooling == "cls":
            pooled = tokens[:, 0]
        elif self.pooling == "max":
            pooled = tokens.masked_fill(weights == 0, -1e9).max(dim=1).values
        else:
            pooled = (tokens * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)
        if self.normalize if normalize is None else normalize:
            pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
        return pooled


def _pooling_mode(folder: Path) -> str:
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "mean"
    if config.get("pooling_mode_cls_token"):
        return "cls"
    if config.get("pooling_mode_max_tokens"):
        return "max"
    return "mean"


def feature_extraction(encoder: Encoder) -> Runner:
    def run(inputs: list[Any], parameters: dict[str, Any]) -> list[Json]:
        # TEI accepts one text or a list of texts; flatten them into one forward pass.
        texts: list[str] = []
        for value in inputs:
            texts.extend(value if isinstance(value, list) else [value])
        vectors = encoder.encode(texts, parameters.get("normalize"))
        answers: list[Json] = []
        position = 0
        for value in inputs:
            count = len(value) if isinstance(value, list) else 1
            rows = [vectors[position + i].tolist() for i in range(count)]
            position += count
            if encoder.sentence_level:  # a list: [n][d]; one text: [d]
                answers.append(rows if isinstance(value, list) else rows[0])
            else:  # token embeddings: one text [1][tokens][d], a list [n][1][tokens][d]
                answers.append([[r] for r in rows] if isinstance(value, list) else rows)
        return answers

    return run


def sentence_similarity(encoder: Encoder) -> Runner:
    def run(inputs: list[dict[str, Any]], parameters: dict[str, Any]) -> list[Json]:
        import torch

        texts: list[str] = []
        for item in inputs:
            texts.append(item["source_sentence"])
            texts.extend(item["sentences"])
        vectors = encoder.encode(texts, normalize=True)
        if not encoder.sentence_level:  # plain encoder: mean of its token embeddings
            vectors = torch.stack([v.mean(dim=0) for v in vectors])
            vectors = torch.nn.functional.normalize(vectors, p=2, dim=1)
        answers: list[Json] = []
        position = 0
        for item in inputs:
            source = vectors[position]
            others = vectors[position + 1 : position + 1 + len(item["sentences"])]
            answers.append((others @ source).tolist())
            position += 1 + len(item["sentences"])
        return answers

    return run
