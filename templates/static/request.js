// One prediction: the form's values POSTed to /api/predict, the answer drawn; a loading model
// (503) or a rate limit (429) waited out a few times, saying so.
import { runChat } from "./chat.js";
import { requestOf } from "./format.js";
import { parameters, values } from "./inputs.js";
import { busy, chatMode, errorEl, fileBody, session, showError, state, statusEl } from "./page.js";
import { render } from "./renderers.js";
import { updateSnippets } from "./snippets.js";

export async function run() {
  if (state.controller) return;
  if (chatMode) return runChat();
  const body = { data: values() };
  const chosen = parameters();
  if (Object.keys(chosen).length) body.parameters = chosen;
  errorEl.hidden = true;
  statusEl.textContent = "";
  showWarnings([]);
  updateSnippets(body);
  state.controller = new AbortController();
  busy(true);
  try {
    const { response, payload } = await send(requestOf(body, fileBody), state.controller.signal);
    if (!response.ok) {
      const retry = response.headers.get("Retry-After");
      showError(payload.error + (retry ? ` (retry in about ${retry} s)` : ""));
      return;
    }
    statusEl.textContent = `Answered in ${payload.duration.toFixed(2)} s`;
    render(payload);
    showWarnings(payload.warnings || []);
  } catch (err) {
    if (err.name === "AbortError") statusEl.textContent = "Cancelled.";
    else showError(`Could not reach the hubdemo server (${err.message}); is it still running?`);
  } finally {
    state.controller = null;
    busy(false);
  }
}

// The answer to `request`, after waiting out a loading model or a rate limit by itself a few
// times (Cancel stops it).
async function send(request, signal) {
  let response;
  let payload;
  for (let attempt = 0; ; attempt++) {
    response = await fetch(request.url, {
      method: "POST",
      headers: { "Content-Type": request.type, "X-Hubdemo-Session": session },
      body: request.content,
      signal,
    });
    try {
      payload = await response.json();
    } catch (_) {
      payload = { error: `the server answered ${response.status} without JSON` };
    }
    const retry = Number(response.headers.get("Retry-After"));
    const waitable = (response.status === 503 || response.status === 429) && retry > 0;
    if (!waitable || attempt >= 4) break;
    const why = response.status === 503 ? "The model is loading" : "The model is busy (rate limited)";
    statusEl.textContent = `${why}, about ${retry} s: trying again by itself…`;
    await new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, retry * 1000);
      signal.addEventListener("abort", () => {
        clearTimeout(timer);
        reject(new DOMException("cancelled", "AbortError"));
      });
    });
    statusEl.textContent = "";
  }
  return { response, payload };
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
