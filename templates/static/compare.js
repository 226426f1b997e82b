// A compare demo: one request, every model's answer in its own pane (its time, or its error
// in its words), and what differs between them marked where the task allows it.
import { askVote, newRound } from "./arena.js";
import { timing } from "./chat.js";
import { $, $$, el } from "./dom.js";
import { info } from "./page.js";
import { render } from "./renderers.js";
import { forVisitor } from "./visitor.js";

export const panes = () => $$(".contender");
const paneOf = (name) => panes().find((pane) => pane.dataset.model === name);

// Every pane shows it is running (its old answer kept until the new one comes), or not.
export function panesRunning(on, started = performance.now()) {
  if (on) newRound();
  panes().forEach((pane) => {
    $(".running", pane).hidden = !on;
    if (!on) return;
    $(".error", pane).hidden = true;
    $(".status", pane).textContent = "";
    $(".running-text", pane).textContent = "Running…";
  });
  if (on) tick(started);
}

// Each pane still waiting counts the seconds so far.
function tick(started) {
  const waiting = panes().filter((pane) => !$(".running", pane).hidden);
  if (!waiting.length) return;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  waiting.forEach((pane) => ($(".running-text", pane).textContent = `Running… ${seconds} s`));
  setTimeout(() => tick(started), 100);
}

// /api/compare's answer: each result in its model's pane, then the differences (an arena's
// round: then its vote).
export function showCompared(payload) {
  payload.results.forEach((result) => showOne(result));
  markDifferences();
  askVote(payload.round);
  return `Answered by ${payload.results.filter((r) => !r.error).length} of ${payload.results.length} in ${payload.duration.toFixed(2)} s (the slowest)`;
}

// One model's result, as soon as it is known.
export function showOne(result) {
  const pane = paneOf(result.model);
  if (!pane) return;
  $(".running", pane).hidden = true;
  const error = $(".error", pane);
  if (result.error) {
    const { text, details } = forVisitor(result, result.status || 502);
    error.replaceChildren(document.createTextNode(text));
    if (details) error.append(detailsOf(details));
    error.hidden = false;
    $(".status", pane).textContent = `Failed after ${result.duration.toFixed(2)} s`;
    return;
  }
  error.hidden = true;
  $(".status", pane).textContent = timing(result.duration, result.first_token, result.output && result.output.usage);
  render(result, pane);
}

function detailsOf(text) {
  const more = el("details");
  more.append(el("summary", "", "Details"), el("p", "", text));
  return more;
}

// What differs between the panes that answered: the top label, the entities one model found
// and another did not, a ranking in another order.
export function markDifferences() {
  const answered = panes().filter((pane) => $(".error", pane).hidden && $(".placeholder", pane).hidden);
  answered.forEach((pane) => {
    const note = $(".differences", pane);
    note.hidden = true;
    note.textContent = "";
    $$(".differs, .only-here", pane).forEach((n) => n.classList.remove("differs", "only-here"));
  });
  if (answered.length < 2) return;
  const kinds = info.outputs.map((c) => c.kind);
  if (kinds.includes("labels") || kinds.includes("similarity")) rankings(answered);
  if (kinds.includes("entities")) entities(answered);
}

function rankings(answered) {
  const orders = answered.map((pane) => $$(".bars li", pane).map((li) => li.dataset.label));
  const tops = new Set(orders.map((order) => order[0]));
  answered.forEach((pane, i) => {
    const rows = $$(".bars li", pane);
    if (tops.size > 1) {
      rows[0].classList.add("differs");
      say(pane, `Its top answer, “${orders[i][0]}”, is not every model's.`);
    } else if (orders.some((order) => order.join("\n") !== orders[i].join("\n"))) {
      // Same top answer, another order below it: the rows placed differently are marked.
      rows.forEach((row, r) => orders.some((order) => order[r] !== row.dataset.label) && row.classList.add("differs"));
      say(pane, "Same top answer; the rows marked are ranked differently by another model.");
    }
  });
}

function entities(answered) {
  const found = answered.map((pane) => new Set($$("mark.entity", pane).map((m) => m.dataset.span)));
  answered.forEach((pane, i) => {
    const own = $$("mark.entity", pane).filter((m) => found.some((set, j) => j !== i && !set.has(m.dataset.span)));
    own.forEach((m) => {
      m.classList.add("only-here");
      m.title += " · not found so by every model";
    });
    if (own.length) say(pane, `${own.length} ${own.length === 1 ? "entity" : "entities"} (underlined) not found so by every model.`);
  });
}

function say(pane, text) {
  const note = $(".differences", pane);
  note.textContent = text;
  note.hidden = false;
}
