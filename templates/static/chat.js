// Chat: the conversation is kept here, on the page; answers stream in (server-sent events).
import { $ } from "./dom.js";
import { serverEvents } from "./events.js";
import { parameters } from "./inputs.js";
import { busy, errorEl, jsonPanel, placeholder, session, showError, showResult, state, statusEl } from "./page.js";
import { renderers, showThinking } from "./renderers.js";
import { updateSnippets } from "./snippets.js";

let history = [];
let attached = null; // an image sent with the next message (image-text-to-text models)
const chatImage = $("#chat-image");
const chatPreview = $(".chat-image-preview");

export function wireChat() {
  const newChat = $("#new-chat");
  if (newChat) {
    newChat.addEventListener("click", () => {
      history = [];
      $("#out-chat").hidden = true;
      $("#out-chat .conversation").replaceChildren();
    });
  }
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
  if (!message) return showError("Type a message first.");
  const content = attached
    ? [{ type: "text", text: message }, { type: "image_url", image_url: { url: attached } }]
    : message;
  const chosen = parameters();
  const body = { messages: [...history, { role: "user", content }], ...chosen };
  errorEl.hidden = true;
  updateSnippets(Object.keys(chosen).length ? { data: [message], parameters: chosen } : { data: [message] });
  state.controller = new AbortController();
  busy(true);
  const root = $("#out-chat");
  renderers.chat(root, { messages: [...body.messages, { role: "assistant", content: "" }] });
  root.hidden = false;
  placeholder.hidden = true;
  const liveItem = $(".conversation li:last-child", root);
  try {
    const response = await fetch("/api/predict?stream=true", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Hubdemo-Session": session },
      body: JSON.stringify(body),
      signal: state.controller.signal,
    });
    if (!response.ok) {
      const payload = await response.json().catch(() => ({ error: `the server answered ${response.status}` }));
      showError(payload.error);
      return;
    }
    await readEvents(response, liveItem, root, box);
  } catch (err) {
    if (err.name === "AbortError") statusEl.textContent = "Cancelled.";
    else showError(`Could not reach the hubdemo server (${err.message}); is it still running?`);
  } finally {
    state.controller = null;
    busy(false);
  }
}

// The stream's events: text as it is written (and thinking apart), then the whole answer.
async function readEvents(response, liveItem, root, box) {
  let written = "";
  let reasoned = "";
  for await (const { error, data: event } of serverEvents(response)) {
    if (error) {
      showError(event.error);
    } else if (event.delta !== undefined) {
      written += event.delta;
      showThinking(liveItem, written, reasoned);
    } else if (event.reasoning !== undefined) {
      reasoned += event.reasoning;
      showThinking(liveItem, written, reasoned);
    } else if (event.output) {
      answered(event, root, box);
    }
  }
}

function answered(event, root, box) {
  history = event.data[0].messages;
  renderers.chat(root, event.data[0]);
  $("#json").textContent = JSON.stringify(event.output, null, 2);
  jsonPanel.hidden = false;
  statusEl.textContent = `Answered in ${event.duration.toFixed(2)} s`;
  showResult();
  box.value = "";
  attached = null;
  if (chatImage) {
    chatImage.value = "";
    chatPreview.hidden = true;
  }
}
