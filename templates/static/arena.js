// A blind arena: after each round the visitor votes on "Model A" and "Model B"; the vote is
// sent, the names are told in their panes, and the leaderboard is drawn again.
import { $, $$, el } from "./dom.js";
import { info } from "./page.js";
import { forVisitor } from "./visitor.js";

export const arenaMode = Boolean(info.arena);
let round = null;
const said = () => $("#vote-said");

// A new round: the panes are unnamed again until its vote.
export function newRound() {
  if (!arenaMode) return;
  round = null;
  $("#vote").hidden = true;
  said().textContent = "";
  $$(".contender").forEach((pane) => {
    $(".contender-name", pane).textContent = pane.dataset.model;
    $(".contender-backend", pane).hidden = true;
  });
}

// The round answered: the vote is asked for.
export function askVote(key) {
  if (!arenaMode || !key) return;
  round = key;
  $("#vote").hidden = false;
}

async function vote(winner) {
  if (!round) return;
  const response = await fetch("/api/vote", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ round, winner }),
  });
  const payload = await response.json().catch(() => ({ error: `the server answered ${response.status}` }));
  if (!response.ok) {
    said().textContent = forVisitor(payload, response.status).text;
    return;
  }
  round = null;
  $("#vote").hidden = true;
  $$(".contender").forEach((pane) => {
    const name = payload.models[pane.dataset.model];
    $(".contender-name", pane).textContent = `${pane.dataset.model}: ${name}`;
    const backend = $(".contender-backend", pane);
    backend.textContent = `It was ${name}.`;
    backend.hidden = false;
  });
  const words = { A: "Model A is better", B: "Model B is better", tie: "a tie", both_bad: "both are bad" };
  said().textContent = `Thank you: “${words[winner]}” is recorded. Run another round to vote again.`;
  await loadLeaderboard();
}

export async function loadLeaderboard() {
  if (!arenaMode) return;
  const response = await fetch("/api/leaderboard");
  const payload = await response.json().catch(() => ({ error: "no leaderboard" }));
  const empty = $("#leaderboard-empty");
  const body = $("#leaderboard tbody");
  if (!response.ok) {
    empty.textContent = payload.error;
    return;
  }
  body.replaceChildren(
    ...payload.models.map((row, i) => {
      const tr = el("tr");
      const cells = [
        String(i + 1),
        row.model,
        row.rating.toFixed(0),
        `${row.low.toFixed(0)} – ${row.high.toFixed(0)}`,
        String(row.votes),
        `${row.wins} · ${row.losses} · ${row.ties}`,
      ];
      cells.forEach((text) => tr.append(el("td", "", text)));
      return tr;
    }),
  );
  empty.hidden = payload.models.length > 0;
}

export function wireArena() {
  if (!arenaMode) return;
  $$("[data-vote]").forEach((button) => button.addEventListener("click", () => vote(button.dataset.vote)));
  loadLeaderboard();
}
