// Chat: the conversation is kept here, on the page, above the message box. Enter sends and
// Shift+Enter adds a line; the answer streams in (server-sent events) as Markdown; Stop keeps
// what was written; Regenerate asks again; a failed turn says why in the conversation, with a
// Retry; an optional system prompt goes first in every request.
import { $, el } from "./dom.js";
import { serverEvents } from "./events.js";
import { parameters } from "./inputs.js";
import { busy, chatMode, errorEl, form, jsonPanel, placeholder, session, showResult, state, statusEl } from "./page.js";
import { renderers, showThinking } from "./renderers.js";
import { loadMarkdown } from "./markdown.js";
import { updateSnippets } from "./snippets.js";
import { forVisitor, refusedParameter } from "./visitor.js";

let history = []; // the conversation answered so far, without the system prompt
let attached = null; // an image sent with the next message (image-text-to-text models)
const chatImage = $("#chat-image");
const chatPreview = $(".chat-image-preview");
const root = $("#out-chat");
const regenerate = $("#regenerate");

export function wireChat() {
  if (!chatMode) return;
  const box = $('[data-input="0"]');
  box.addEventListener("keydown", (event) => {
    const plain = !(event.shiftKey || event.ctrlKey || event.metaKey || event.altKey);
    if (event.key === "Enter" && plain && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  $("#new-chat").addEventListener("click", () => {
    history = [];
    draw([]);
    regenerate.hidden = true;
    statusEl.textContent = "";
  });
  regenerate.addEventListener("click", () => {
    if (state.controller || history.length < 2) return;
    const asked = history[history.length - 2];
    history = history.slice(0, -2);
    send(asked.content);
  });
  // Image-text-to-text models: an image may go with the message (OpenAI-style content parts).
  if (chatImage) {
    chatImage.addEventListener("change", () => {
      const file = chatImage.files && chatImage.files[0];
      if (!file) return;
      const reader = new FileReader();
      reader.onload = () => {
        attached = reader.result;
        chatPreview.src = attached;
        chatPreview.hidden = false;
      };
      reader.readAsDataURL(file);
    });
  }
}

export async function runChat() {
  const box = $('[data-input="0"]');
  const message = box.value.trim();
  if (!message) {
    box.focus();
    statusEl.textContent = "Type a message first.";
    return;
  }
  if (refusedParameter()) return;
  const content = attached
    ? [{ type: "text", text: message }, { type: "image_url", image_url: { url: attached } }]
    : message;
  // The box is emptied at once, as in any chat; a failed turn keeps the message for Retry.
  box.value = "";
  attached = null;
  if (chatImage) {
    chatImage.value = "";
    chatPreview.hidden = true;
  }
  await send(content);
}

function draw(messages) {
  renderers.chat(root, { messages });
  root.hidden = messages.length === 0;
  placeholder.hidden = messages.length > 0;
}

// One turn: `content` asked after the conversation so far; the reply drawn as it comes.
async function send(content) {
  await loadMarkdown(); // before the first draw: a draw made before it loads is made again
  const system = ($("#system-prompt") || {}).value?.trim();
  const chosen = parameters();
  const asked = [...history, { role: "user", content }];
  const body = { messages: [...(system ? [{ role: "system", content: system }] : []), ...asked], ...chosen };
  errorEl.hidden = true;
  statusEl.textContent = "";
  regenerate.hidden = true;
  const text = typeof content === "string" ? content : content[0].text;
  updateSnippets(Object.keys(chosen).length ? { data: [text], parameters: chosen } : { data: [text] });
  draw([...asked, { role: "assistant", content: "" }]);
  const live = $(".conversation li:last-child", root);
  live.classList.add("pending");
  showResult();
  state.controller = new AbortController();
  busy(true);
  const written = { text: "", reasoning: "" };
  try {
    const response = await fetch("/api/predict?stream=true", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Hubdemo-Session": session },
      body: JSON.stringify(body),
      signal: state.controller.signal,
    });
    if (!response.ok) {
      const payload = await response.json().catch(() => ({ error: `the server answered ${response.status}` }));
      return failed(live, forVisitor(payload, response.status), content);
    }
    await readEvents(response, live, written, content);
  } catch (err) {
    if (err.name === "AbortError") stopped(asked, written);
    else failed(live, { text: `Could not reach the demo's server (${err.message}): check that it is still running.`, details: "" }, content);
  } finally {
    state.controller = null;
    busy(false);
  }
}

// The stream's events: text as it is written (and thinking apart), then the whole answer.
async function readEvents(response, live, written, content) {
  for await (const { error, data: event } of serverEvents(response)) {
    if (error) return failed(live, forVisitor(event, 502), content);
    if (event.delta !== undefined) written.text += event.delta;
    else if (event.reasoning !== undefined) written.reasoning += event.reasoning;
    else if (event.output) return answered(event);
    live.classList.remove("pending");
    showThinking(live, written.text, written.reasoning);
  }
}

function answered(event) {
  history = event.data[0].messages.filter((m) => m.role !== "system");
  draw(history);
  $("#json").textContent = JSON.stringify(event.output, null, 2);
  jsonPanel.hidden = false;
  statusEl.textContent = `Answered in ${event.duration.toFixed(2)} s`;
  regenerate.hidden = false;
}

// Stop: what was written so far stays, as the reply, and the conversation goes on from it.
function stopped(asked, written) {
  history = [...asked, { role: "assistant", content: written.text }];
  draw(history);
  $(".conversation li:last-child", root).append(el("span", "turn-note", "stopped"));
  statusEl.textContent = "Stopped.";
  regenerate.hidden = false;
}

// A failed turn: why (in the visitor's words, the server's under Details), in the
// conversation, and a Retry that asks the same again.
function failed(live, { text, details }, content) {
  live.classList.remove("pending");
  live.classList.add("failed");
  $(".content", live).textContent = text;
  if (details) {
    const more = el("details", "failure-details");
    more.append(el("summary", "", "Details"), el("p", "", details));
    $(".content", live).after(more);
  }
  const retry = el("button", "secondary small", "Retry");
  retry.type = "button";
  retry.addEventListener("click", () => {
    if (!state.controller) send(content);
  });
  $(".copy", live)?.remove();
  live.append(retry);
}
