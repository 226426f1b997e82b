// The page: what /api/info says of the model, its fixed elements, and the state of a request.
import { $ } from "./dom.js";

export const info = JSON.parse(document.getElementById("hubdemo-info").textContent);
export const form = document.getElementById("form");
export const submit = document.getElementById("submit");
export const cancel = document.getElementById("cancel");
export const clear = document.getElementById("clear");
export const statusEl = document.getElementById("status");
export const errorEl = document.getElementById("error");
export const placeholder = document.getElementById("placeholder");
export const jsonPanel = document.getElementById("json-panel");
const elapsed = document.getElementById("elapsed");
const running = document.getElementById("running");
const runningText = document.getElementById("running-text");

// The request running (its AbortController), or null.
export const state = { controller: null };
// This page load's own session with a stateful Space (its gr.State): a random id, sent with
// every prediction and never stored, so a reload starts afresh, as on the Space's own page.
export const session = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) =>
  b.toString(16).padStart(2, "0"),
).join("");
let timer = null;

export const FILE_KINDS = ["image", "audio", "video"];
// A Hub task whose one input is a file sends the file itself as the body.
export const fileBody = !info.space && info.inputs.length === 1 && FILE_KINDS.includes(info.inputs[0].kind);
// The element of each output, in order: out-<kind>, then out-<kind>-2… for another of a kind
// (as page.html numbers them).
export const outputIds = (() => {
  const seen = {};
  return info.outputs.map((c) => {
    seen[c.kind] = (seen[c.kind] || 0) + 1;
    return seen[c.kind] === 1 ? `out-${c.kind}` : `out-${c.kind}-${seen[c.kind]}`;
  });
})();
export const chatMode = info.inputs.length === 1 && info.inputs[0].kind === "chat";
// A compare demo (several models, one pane each) is asked through /api/compare.
export const compareMode = Array.isArray(info.compare);
export const apiPath = compareMode ? "/api/compare" : "/api/predict";

// While a request runs the submit button keeps its label and width (nothing shifts): Cancel
// takes Clear's place, and the time so far is counted beside them.
export function busy(on) {
  submit.disabled = on;
  submit.setAttribute("aria-busy", String(on));
  cancel.hidden = !on;
  clear.hidden = on;
  clearInterval(timer);
  elapsed.textContent = "";
  running.hidden = !on;
  if (on) {
    // The time so far, beside the button and where the answer will be (on a phone, brought
    // into view as the run starts).
    const started = performance.now();
    const tick = () => {
      const seconds = `${((performance.now() - started) / 1000).toFixed(1)} s`;
      elapsed.textContent = seconds;
      runningText.textContent = `${chatMode ? "Answering" : "Running"}… ${seconds}`;
    };
    tick();
    timer = setInterval(tick, 100);
    showResult();
  }
}

// `message`, and under "Details" the server's own words when they differ (visitor.js).
export function showError(message, details = "") {
  errorEl.replaceChildren(document.createTextNode(message));
  if (details) {
    const more = document.createElement("details");
    const summary = document.createElement("summary");
    summary.textContent = "Details";
    const said = document.createElement("p");
    said.textContent = details;
    more.append(summary, said);
    errorEl.append(more);
  }
  errorEl.hidden = false;
}

// On a narrow screen the result is below the inputs: bring it into view (without animation
// for those who asked for reduced motion).
export function showResult() {
  if (!window.matchMedia("(max-width: 800px)").matches) return;
  const still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  $(".pane.outputs").scrollIntoView({ behavior: still ? "auto" : "smooth", block: "start" });
}
