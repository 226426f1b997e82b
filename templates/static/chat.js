// Chat: the conversation is kept here, on the page, above the message box. Enter sends and
// Shift+Enter adds a line; the answer streams in (server-sent events) as Markdown; Stop keeps
// what was written; Regenerate asks again; a failed turn says why in the conversation, with a
// Retry; an optional system prompt goes first in every request. A compare demo keeps one
// conversation per model, each asked (and streaming) at once from the one message box.
import { arenaMode, askVote, newRound } from "./arena.js";
import { $, $$, el } from "./dom.js";
import { serverEvents } from "./events.js";
import { parameters } from "./inputs.js";
import { busy, chatMode, compareMode, errorEl, form, jsonPanel, placeholder, session, showResult, state, statusEl } from "./page.js";
import { renderers, showThinking } from "./renderers.js";
import { loadMarkdown } from "./markdown.js";
import { updateSnippets } from "./snippets.js";
import { forVisitor, refusedParameter } from "./visitor.js";

let attached = null; // an image sent with the next message (image-text-to-text models)
const chatImage = $("#chat-image");
const chatPreview = $(".chat-image-preview");
const regenerate = $("#regenerate");

// One conversation with one model: its pane's elements and what was said so far (without
// the system prompt).
class Conversation {
  constructor(root, pane = null) {
    this.root = root;
    this.pane = pane;
    this.history = [];
    this.list = $(".conversation", root);
  }

  status(text) {
    (this.pane ? $(".status", this.pane) : statusEl).textContent = text;
  }

  draw(messages, { toEnd = false } = {}) {
    const follow = toEnd || atEnd(this.list);
    renderers.chat(this.root, { messages });
    this.root.hidden = messages.length === 0;
    if (follow) this.list.scrollTop = this.list.scrollHeight; // once shown: a hidden list has no height
    (this.pane ? $(".placeholder", this.pane) : placeholder).hidden = messages.length > 0;
  }

  // One turn: `content` asked after the conversation so far; the reply drawn as it comes.
  async turn(content, system, chosen, signal) {
    const asked = [...this.history, { role: "user", content }];
    const { live, written } = this.begin(asked);
    const model = this.pane ? `model=${encodeURIComponent(this.pane.dataset.model)}&` : "";
    try {
      const response = await streamed(`/api/predict?${model}stream=true`, chatBody(asked, system, chosen), signal);
      if (!response.ok) {
        const payload = await response.json().catch(() => ({ error: `the server answered ${response.status}` }));
        return this.failed(live, forVisitor(payload, response.status), content);
      }
      await this.read(response, live, written, content);
    } catch (err) {
      if (err.name === "AbortError") this.stopped(asked, written);
      else this.failed(live, { text: `Could not reach the demo's server (${err.message}): check that it is still running.`, details: "" }, content);
    }
  }

  // A new turn: what was asked, an empty reply waiting under it, and its timing begun.
  begin(asked) {
    this.draw([...asked, { role: "assistant", content: "" }], { toEnd: true });
    const live = $(".conversation li:last-child", this.root);
    live.classList.add("pending");
    this.status("");
    return { live, written: { text: "", reasoning: "", started: performance.now(), first: null } };
  }

  // The stream's events: text as it is written (and thinking apart), then the whole answer.
  async read(response, live, written, content) {
    for await (const { error, data: event } of serverEvents(response)) {
      if (error) return this.failed(live, forVisitor(event, 502), content);
      if (event.output) return this.answered(event, written);
      if (written.first === null) written.first = (performance.now() - written.started) / 1000;
      if (event.delta !== undefined) written.text += event.delta;
      else if (event.reasoning !== undefined) written.reasoning += event.reasoning;
      live.classList.remove("pending");
      const follow = atEnd(this.list);
      showThinking(live, written.text, written.reasoning);
      if (follow) this.list.scrollTop = this.list.scrollHeight;
    }
  }

  answered(event, written) {
    this.history = event.data[0].messages.filter((m) => m.role !== "system");
    this.draw(this.history);
    (this.pane ? $(".json", this.pane) : $("#json")).textContent = JSON.stringify(event.output, null, 2);
    (this.pane ? $(".json-panel", this.pane) : jsonPanel).hidden = false;
    // Timed here, as the visitor waited (the server's duration leaves out the network).
    this.status(timing((performance.now() - written.started) / 1000, written.first, event.output.usage));
  }

  // Stop: what was written so far stays, as the reply, and the conversation goes on from it.
  stopped(asked, written) {
    this.history = [...asked, { role: "assistant", content: written.text }];
    this.draw(this.history);
    $(".conversation li:last-child", this.root).append(el("span", "turn-note", "stopped"));
    this.status("Stopped.");
  }

  // A failed turn: why (in the visitor's words, the server's under Details), in the
  // conversation, and a Retry that asks the same again (of this model alone).
  failed(live, { text, details }, content) {
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
      if (!state.controller) send([[this, content]]);
    });
    $(".copy", live)?.remove();
    live.append(retry);
  }
}

// A chat request: the system prompt first, then the conversation; its answer streams.
const chatBody = (asked, system, chosen) => ({
  messages: [...(system ? [{ role: "system", content: system }] : []), ...asked],
  ...chosen,
});
const streamed = (url, body, signal) =>
  fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Hubdemo-Session": session },
    body: JSON.stringify(body),
    signal,
  });

// A long conversation scrolls in its box: it follows the reply as it grows, unless the
// visitor has scrolled up to read.
const atEnd = (list) => list.scrollHeight - list.scrollTop - list.clientHeight < 48;

// "Answered in 2.31 s · first words after 0.40 s · 41.5 tokens/s" (what is known of it):
// tokens per second while writing, after the first words.
export function timing(duration, first, usage) {
  const parts = [`Answered in ${duration.toFixed(2)} s`];
  const known = typeof first === "number";
  if (known) parts.push(`first words after ${first.toFixed(2)} s`);
  const tokens = usage && usage.completion_tokens;
  const writing = duration - (known ? first : 0);
  if (tokens && writing > 0) parts.push(`${(tokens / writing).toFixed(1)} tokens/s`);
  return parts.join(" · ");
}

const conversations = !chatMode
  ? []
  : compareMode
    ? $$(".contender").map((pane) => new Conversation($(`#${pane.dataset.prefix}out-chat`), pane))
    : [new Conversation($("#out-chat"))];

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
    conversations.forEach((c) => {
      c.history = [];
      c.draw([]);
      c.status("");
    });
    regenerate.hidden = true;
    statusEl.textContent = "";
  });
  regenerate.addEventListener("click", () => {
    if (state.controller) return;
    // Each conversation asks its own last question again, without its last reply.
    const again = conversations
      .filter((c) => c.history.length >= 2)
      .map((c) => {
        const asked = c.history[c.history.length - 2];
        c.history = c.history.slice(0, -2);
        return [c, asked.content];
      });
    if (again.length) send(again);
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
  await send(conversations.map((c) => [c, content]));
}

// An arena's round: one message asked of two unnamed models at once (/api/compare streams
// both), each reply in its side's conversation; then the vote. Each round starts afresh.
async function arenaRound(content, system, chosen, signal) {
  newRound();
  const asked = [{ role: "user", content }];
  const bySide = {};
  conversations.forEach((c) => {
    c.history = [];
    bySide[c.pane.dataset.model] = { c, ...c.begin(asked) };
  });
  const everyone = (then) => Object.values(bySide).forEach(then);
  try {
    const response = await streamed("/api/compare?stream=true", chatBody(asked, system, chosen), signal);
    if (!response.ok) {
      const payload = await response.json().catch(() => ({ error: `the server answered ${response.status}` }));
      return everyone(({ c, live }) => c.failed(live, forVisitor(payload, response.status), content));
    }
    let round = null;
    for await (const { error, data: event } of serverEvents(response)) {
      if (error) return everyone(({ c, live }) => c.failed(live, forVisitor(event, 502), content));
      if (event.results) break;
      if (event.round && !event.model) round = event.round;
      const side = bySide[event.model];
      if (!side) continue;
      const { c, live, written } = side;
      if (event.error) c.failed(live, forVisitor(event, event.status || 502), content);
      else if (event.output) c.answered(event, written);
      else {
        if (written.first === null) written.first = (performance.now() - written.started) / 1000;
        if (event.delta !== undefined) written.text += event.delta;
        else if (event.reasoning !== undefined) written.reasoning += event.reasoning;
        live.classList.remove("pending");
        showThinking(live, written.text, written.reasoning);
      }
    }
    askVote(round);
  } catch (err) {
    if (err.name === "AbortError") everyone(({ c, written }) => c.stopped(asked, written));
    else everyone(({ c, live }) => c.failed(live, { text: `Could not reach the demo's server (${err.message}).`, details: "" }, content));
  }
}

// Turns asked at once: [conversation, content] pairs, one Stop for them all.
async function send(turns) {
  await loadMarkdown(); // before the first draw: a draw made before it loads is made again
  const system = ($("#system-prompt") || {}).value?.trim();
  const chosen = parameters();
  errorEl.hidden = true;
  statusEl.textContent = "";
  regenerate.hidden = true;
  if (compareMode) placeholder.hidden = true; // each pane says its own
  const content = turns[0][1];
  const text = typeof content === "string" ? content : content[0].text;
  updateSnippets(Object.keys(chosen).length ? { data: [text], parameters: chosen } : { data: [text] });
  showResult();
  state.controller = new AbortController();
  busy(true);
  try {
    if (arenaMode) await arenaRound(content, system, chosen, state.controller.signal);
    else await Promise.all(turns.map(([c, asked]) => c.turn(asked, system, chosen, state.controller.signal)));
  } finally {
    state.controller = null;
    busy(false);
    regenerate.hidden = !conversations.some((c) => c.history.length >= 2);
  }
}
