"""Every command, registered on the app in the order ``hubdemo --help`` lists them, each with
examples at the foot of its ``--help``."""

from __future__ import annotations

from . import describe, endpoint, leaderboard, predict, pull, serve, smoke, tasks
from .app import app

EXAMPLES = {
    "serve": (
        "hubdemo serve distilbert/distilbert-base-uncased-finetuned-sst-2-english",
        "hubdemo serve google/vit-base-patch16-224 --local --port 8000",
        "hubdemo serve spaces/owner/name --auth user:secret --host 0.0.0.0",
        "hubdemo serve org/base-model org/fine-tune  (side by side)",
        "hubdemo serve meta-llama/Llama-3.1-8B-Instruct --provider together,novita --arena",
    ),
    "endpoint": ("hubdemo endpoint sentence-transformers/all-MiniLM-L6-v2 --port 8080",),
    "describe": ("hubdemo describe google/vit-base-patch16-224 --json",),
    "predict": (
        'hubdemo predict facebook/bart-large-mnli "My phone is hot" "urgent, not urgent"',
        "hubdemo predict google/vit-base-patch16-224 cat.jpg --param top_k=3 --json",
        'hubdemo predict stabilityai/stable-diffusion-2 "a tortoise" -o tortoise.jpg',
        'hubdemo predict org/base-model org/fine-tune "Is this better?"  (side by side)',
    ),
    "pull": ("hubdemo pull google/vit-base-patch16-224", "hubdemo pull gpt2@main --dry-run"),
    "smoke": ("hubdemo smoke google/vit-base-patch16-224 --record tests/cassettes",),
    "tasks": ("hubdemo tasks --json",),
    "leaderboard": ("hubdemo leaderboard votes.jsonl", "hubdemo leaderboard votes.jsonl --json"),
}


def _examples(command: str) -> str:
    # Two spaces and a line break: rich's help keeps each example on its own line.
    return "Examples:\n\n" + "\n\n".join(f"  {line}" for line in EXAMPLES[command])


for function in (
    serve.serve, endpoint.endpoint, describe.describe, predict.predict, pull.pull, smoke.smoke,
    tasks.tasks, leaderboard.leaderboard,
):  # fmt: skip
    app.command(epilog=_examples(function.__name__))(function)
