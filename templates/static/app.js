// hubdemo page: collects the inputs, POSTs /api/predict, draws the answer. The entry module:
// it wires the page's controls to the modules beside it (no build step: the browser loads them
// as ES modules, from this server only, under the page's Content-Security-Policy).
import { wireArena } from "./arena.js";
import { wireChat } from "./chat.js";
import { $, $$ } from "./dom.js";
import { clearMedia, fill, setParameters, wireInputs } from "./inputs.js";
import { watchModel } from "./loading.js";
import { cancel, chatMode, form, info, jsonPanel, outputIds, placeholder, state, statusEl } from "./page.js";
import { run } from "./request.js";
import { firstRequest, updateSnippets, wireSnippets } from "./snippets.js";

wireInputs();
wireChat();
form.addEventListener("submit", (event) => {
  event.preventDefault();
  run();
});
form.addEventListener("reset", () => {
  clearMedia();
  if (chatMode) return; // Clear empties the message box; the conversation stays (New conversation ends it)
  $$(".stage, audio.preview, video.preview").forEach((n) => (n.hidden = true));
  // Clear clears the result too: the page is as it was first shown.
  outputIds.forEach((id) => (document.getElementById(id) || {}).hidden = true);
  // A compare demo's panes: each as it was first shown.
  $$(".contender .output, .contender .error, .contender .json-panel, .contender .differences").forEach((n) => (n.hidden = true));
  $$(".contender .placeholder").forEach((n) => (n.hidden = false));
  $$(".contender .status").forEach((n) => (n.textContent = ""));
  $("#error").hidden = true;
  statusEl.textContent = "";
  jsonPanel.hidden = true;
  placeholder.hidden = false;
});
cancel.addEventListener("click", () => state.controller && state.controller.abort());
document.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    run();
  }
});
// A chip whose example holds a picture shows it, small, before its title.
$$("[data-example]").forEach((chip) => {
  const picture = info.examples[Number(chip.dataset.example)].data.find(
    (v) => typeof v === "string" && v.startsWith("data:image/"),
  );
  if (!picture) return;
  const thumb = document.createElement("img");
  thumb.className = "thumb";
  thumb.alt = "";
  thumb.src = picture;
  chip.prepend(thumb);
});
$$("[data-example]").forEach((chip) => {
  chip.addEventListener("click", () => {
    const example = info.examples[Number(chip.dataset.example)];
    fill(example.data);
    setParameters(example.parameters);
    run();
  });
});
wireSnippets();
wireArena();
updateSnippets(firstRequest());
watchModel();
