"""The blind arena in process: rounds of two unnamed models, votes appended to a file, and
ratings checked against hand-computed Bradley-Terry strengths."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import pytest

from hubdemo.compare import Comparison, contenders_of, open_all
from hubdemo.compare.arena import Arena, summarized
from hubdemo.compare.leaderboard import leaderboard, read_votes
from hubdemo.errors import InputError, ModelNotFound, UsageError
from support.comparing import TEXT, backend, cli, opener
from support.inprocess import InProcess

ELO = 400  # points for 10:1 odds


def vote(a: str, b: str, winner: str) -> dict[str, object]:
    return {"models": [a, b], "winner": winner}


def gap(table, a: str, b: str) -> float:  # type: ignore[no-untyped-def]
    rating = {row.model: row.rating for row in table}
    return rating[a] - rating[b]


def test_two_models_three_wins_to_one() -> None:
    # Bradley-Terry: p(x beats y) = wins / all. With the virtual tie: 3.5 to 1.5.
    table = leaderboard([vote("x", "y", "A")] * 3 + [vote("x", "y", "B")])
    assert [row.model for row in table] == ["x", "y"]
    assert gap(table, "x", "y") == pytest.approx(ELO * math.log10(3.5 / 1.5), abs=0.5)
    assert (table[0].wins, table[0].losses, table[0].ties, table[0].votes) == (3, 1, 0, 4)
    assert sum(row.rating for row in table) / 2 == pytest.approx(1000)


def test_three_models_whose_records_agree() -> None:
    # x beats y 2:1, y beats z 2:1, x beats z 4:1; with a virtual tie each: 2.5:1.5, 2.5:1.5,
    # 4.5:1.5 — not exactly transitive, so the fit is checked against its own likelihood
    # equations (each model's expected wins equal its actual wins).
    votes = [vote("x", "y", "A")] * 2 + [vote("x", "y", "B")]
    votes += [vote("y", "z", "A")] * 2 + [vote("y", "z", "B")]
    votes += [vote("z", "x", "B")] * 4 + [vote("z", "x", "A")]
    table = leaderboard(votes)
    strength = {row.model: 10 ** (row.rating / ELO) for row in table}
    games = {("x", "y"): (2.5, 1.5), ("y", "z"): (2.5, 1.5), ("x", "z"): (4.5, 1.5)}
    for model in strength:
        actual = expected = 0.0
        for (a, b), (wins_a, wins_b) in games.items():
            if model not in (a, b):
                continue
            other = b if model == a else a
            mine = wins_a if model == a else wins_b
            actual += mine
            expected += (wins_a + wins_b) * strength[model] / (strength[model] + strength[other])
        assert expected == pytest.approx(actual, abs=0.01)
    assert [row.model for row in table] == ["x", "y", "z"]


def test_ties_and_both_bad_are_half_a_win_each() -> None:
    table = leaderboard([vote("x", "y", "tie"), vote("x", "y", "both_bad")])
    assert gap(table, "x", "y") == pytest.approx(0, abs=0.01)
    assert table[0].ties == 2 and table[0].wins == 0


def test_the_interval_holds_the_rating() -> None:
    votes = [vote("x", "y", "A")] * 6 + [vote("x", "y", "B")] * 4 + [vote("y", "z", "A")] * 5
    for row in leaderboard(votes):
        assert row.low <= row.rating <= row.high


def test_a_votes_file_that_is_not_one_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "votes.jsonl"
    path.write_text(json.dumps(vote("x", "y", "A")) + "\n{not json\n")
    with pytest.raises(UsageError, match=r"votes\.jsonl:2 is not a vote"):
        read_votes(path)
    with pytest.raises(UsageError, match="no votes file at"):
        read_votes(tmp_path / "none.jsonl")


def arena(tmp_path: Path, seed: int = 1) -> Arena:
    opened = open_all(
        contenders_of(
            ["support.functions:meet_left", "support.functions:meet_right"], backend(task=TEXT)
        ),
        opener,
    )
    return Arena(Comparison(opened), tmp_path / "votes.jsonl", random.Random(seed))


def test_a_round_hides_the_names_and_the_order_is_shuffled(tmp_path: Path) -> None:
    import asyncio

    played = arena(tmp_path)
    firsts = set()
    for _ in range(12):
        answer = asyncio.run(played.predict({"data": ["hello"]}))
        assert [r["model"] for r in answer["results"]] == ["Model A", "Model B"]
        assert "meet" not in json.dumps(answer)
        kept = played.rounds[answer["round"]]
        firsts.add(kept.models[0])
        # The hidden side is the model that answered it (left answers "left" first).
        for result, model in zip(answer["results"], kept.models, strict=True):
            assert result["output"][0]["label"] == model.rsplit("_", 1)[1]
    assert firsts == {"support.functions:meet_left", "support.functions:meet_right"}


def test_a_vote_is_written_once_with_the_pairing_inputs_and_outputs(tmp_path: Path) -> None:
    import asyncio

    played = arena(tmp_path)
    answer = asyncio.run(played.predict({"data": ["hello"]}))
    told = asyncio.run(played.vote(answer["round"], "B"))
    kept_models = list(told["models"].values())
    line = json.loads((tmp_path / "votes.jsonl").read_text())
    assert line["models"] == kept_models and line["winner"] == "B"
    assert line["inputs"] == {"data": ["hello"]}
    assert [r["output"] for r in line["results"]] == [r["output"] for r in answer["results"]]
    with pytest.raises(ModelNotFound, match="voted on already"):
        asyncio.run(played.vote(answer["round"], "A"))
    with pytest.raises(InputError, match="A, B, tie, both_bad"):
        asyncio.run(played.vote("x", "C"))


def test_long_data_urls_are_kept_as_their_hash() -> None:
    picture = "data:image/png;base64," + "A" * 4000
    kept = summarized({"data": [picture, "text"]})
    assert kept["data"][0]["data_url"] == "image/png" and kept["data"][0]["bytes"] == 4000
    assert kept["data"][1] == "text"


def test_the_arena_routes(tmp_path: Path) -> None:
    from hubdemo.settings import ServeOptions
    from hubdemo.web.compare import create_compare_app

    opened = open_all(
        contenders_of(
            ["support.functions:meet_left", "support.functions:meet_right"], backend(task=TEXT)
        ),
        opener,
    )
    options = ServeOptions.from_env(arena=True, votes=str(tmp_path / "votes.jsonl"))
    with InProcess(create_compare_app(opened, options)) as app:
        info = app.get("/api/info").json()
        assert [c["name"] for c in info["compare"]] == ["Model A", "Model B"]
        assert info["arena"]["models"] == [
            "support.functions:meet_left",
            "support.functions:meet_right",
        ]
        assert app.get("/api/leaderboard").json() == {"votes": 0, "models": []}
        refused = app.post("/api/predict?model=support.functions:meet_left", json={"data": ["x"]})
        assert refused.status_code == 400 and "blind arena" in refused.json()["error"]
        answer = app.post("/api/compare", json={"data": ["hello"]}).json()
        told = app.post("/api/vote", json={"round": answer["round"], "winner": "A"})
        assert told.status_code == 200
        winner = told.json()["models"]["Model A"]
        board = app.get("/api/leaderboard").json()
        assert board["votes"] == 1 and board["models"][0]["model"] == winner
        again = app.post("/api/vote", json={"round": answer["round"], "winner": "A"})
        assert again.status_code == 404
        assert app.post("/api/vote", json=["A"]).status_code == 400
        page = app.get("/").text
        assert "Which answer is better?" in page and "meet_left</a>" not in page


def test_hubdemo_leaderboard_prints_the_ratings(tmp_path: Path) -> None:
    path = tmp_path / "votes.jsonl"
    path.write_text("".join(json.dumps(vote("x", "y", "A")) + "\n" for _ in range(3)))
    code, out, _ = cli("leaderboard", str(path))
    assert code == 0 and out.index("x") < out.index("y") and "3 votes" in out
    code, out, _ = cli("leaderboard", str(path), "--json")
    printed = json.loads(out)
    assert printed["votes"] == 3 and [m["model"] for m in printed["models"]] == ["x", "y"]
    assert printed["models"][0]["rating"] - printed["models"][1]["rating"] == pytest.approx(
        ELO * math.log10(3.5 / 0.5), abs=0.5
    )
    code, _, err = cli("leaderboard", str(tmp_path / "none.jsonl"))
    assert code == 2 and "no votes file" in err
