// One prediction: the form's values POSTed to /api/predict, the answer drawn; a loading model
// (503) or a rate limit (429) waited out a few times, saying so.
import { runChat } from "./chat.js";
import { requestOf } from "./format.js";
import { filesRead, parameters, values } from "./inputs.js";
import { serverEvents } from "./events.js";
import { panesRunning, showCompared } from "./compare.js";
import { apiPath, busy, chatMode, compareMode, errorEl, fileBody, info, placeholder, session, showError, state, statusEl } from "./page.js";
import { render } from "./renderers.js";
import { updateSnippets } from "./snippets.js";
import { forVisitor, missingInput, refusedParameter } from "./visitor.js";

const ATTEMPTS = 5; // a loading model or a rate limit: asked this many times in all

export async function run() {
  if (state.controller) return;
  if (chatMode) return runChat();
  await filesRead(); // a file chosen a moment ago is sent, not found missing
  if (state.controller) return;
  const body = { data: values() };
  const missing = missingInput(info.inputs, body.data);
  if (missing) return showError(missing);
  if (refusedParameter()) return;
  const chosen = parameters();
  if (Object.keys(chosen).length) body.parameters = chosen;
  errorEl.hidden = true;
  statusEl.textContent = "";
  showWarnings([]);
  updateSnippets(body);
  state.controller = new AbortController();
  busy(true);
  if (compareMode) panesRunning(true);
  // A Space's answer streams: its gr.Progress as a bar, a generator's partial answers drawn.
  const streamed = Boolean(info.space) && !fileBody && !compareMode;
  const request = requestOf(body, fileBody, apiPath);
  if (streamed) request.url += "?stream=true";
  try {
    const { response, payload } = await send(request, state.controller.signal, streamed);
    if (!response.ok) {
      const retry = response.headers.get("Retry-After");
      const { text, details } = forVisitor(payload, response.status);
      showError(text + (retry ? ` (retry in about ${retry} s)` : ""), details);
      return;
    }
    if (streamed) return await readAnswer(response);
    answered(payload);
  } catch (err) {
    if (err.name === "AbortError") statusEl.textContent = "Cancelled.";
    else showError(`Could not reach the hubdemo server (${err.message}); is it still running?`);
  } finally {
    state.controller = null;
    busy(false);
    if (compareMode) panesRunning(false);
    showProgress([]);
  }
}

function answered(payload) {
  if (compareMode) {
    placeholder.hidden = true;
    statusEl.textContent = showCompared(payload);
    return;
  }
  statusEl.textContent = `Answered in ${payload.duration.toFixed(2)} s`;
  render(payload);
  showWarnings(payload.warnings || []);
}

async function readAnswer(response) {
  for await (const { error, data: event } of serverEvents(response)) {
    if (error) {
      const { text, details } = forVisitor(event, 502);
      return showError(text, details);
    }
    if (event.progress) showProgress(event.progress);
    else if (event.partial) render(event.partial);
    else if (event.output !== undefined) answered(event);
  }
}

// A gr.Progress as Gradio shows it: "denoising 12/30 steps", a bar per level.
function showProgress(units) {
  const shown = document.getElementById("progress");
  shown.replaceChildren(
    ...units.map((unit) => {
      const row = document.createElement("div");
      const bar = document.createElement("progress");
      const done = unit.index != null && unit.length ? unit.index / unit.length : unit.progress;
      if (done != null) bar.value = Math.max(0, Math.min(1, done));
      const words = [unit.desc, unit.index != null && unit.length ? `${unit.index}/${unit.length} ${unit.unit || ""}` : done != null ? `${Math.round(done * 100)}%` : ""];
      const text = document.createElement("span");
      text.textContent = words.filter(Boolean).join(" ").trim();
      bar.setAttribute("aria-label", text.textContent || "progress");
      row.append(bar, text);
      return row;
    }),
  );
  shown.hidden = units.length === 0;
}

// The answer to `request`, after waiting out a loading model or a rate limit by itself a few
// times (Cancel stops it).
async function send(request, signal, streamed = false) {
  let response;
  let payload;
  for (let attempt = 0; ; attempt++) {
    response = await fetch(request.url, {
      method: "POST",
      headers: { "Content-Type": request.type, "X-Hubdemo-Session": session },
      body: request.content,
      signal,
    });
    if (streamed && response.ok) return { response, payload: null };
    try {
      payload = await response.json();
    } catch (_) {
      payload = { error: `the server answered ${response.status} without JSON` };
    }
    const retry = Number(response.headers.get("Retry-After"));
    const waitable = (response.status === 503 || response.status === 429) && retry > 0;
    if (!waitable || attempt >= ATTEMPTS - 1) break;
    const why = response.status === 503 ? "The model is loading" : "The model is busy (rate limited)";
    await countdown(why, retry, attempt + 1, signal);
    statusEl.textContent = "";
  }
  return { response, payload };
}

// A wait the server asked for, counted down in the result pane: "The model is loading: trying
// again in 18 s (attempt 2 of 5)". Cancel ends it.
function countdown(why, seconds, attempt, signal) {
  return new Promise((resolve, reject) => {
    const until = performance.now() + seconds * 1000;
    const tick = () => {
      const left = Math.max(0, Math.ceil((until - performance.now()) / 1000));
      statusEl.textContent = `${why}: trying again in ${left} s (attempt ${attempt + 1} of ${ATTEMPTS})`;
      if (left <= 0) {
        clearInterval(timer);
        resolve();
      }
    };
    const timer = setInterval(tick, 250);
    tick();
    signal.addEventListener("abort", () => {
      clearInterval(timer);
      reject(new DOMException("cancelled", "AbortError"));
    });
  });
}

// What the upstream said beside its answer (a Space's gr.Warning), one line each.
function showWarnings(warnings) {
  const list = document.getElementById("warnings");
  list.replaceChildren(
    ...warnings.map((text) => {
      const item = document.createElement("li");
      item.textContent = text;
      return item;
    }),
  );
  list.hidden = warnings.length === 0;
}
