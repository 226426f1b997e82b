// A local model still loading: the page says so (polling /healthz) until it is ready.
import { showError } from "./page.js";

export async function watchModel() {
  const box = document.getElementById("model-state");
  for (;;) {
    let health;
    try {
      health = await (await fetch("/healthz")).json();
    } catch (e) {
      return;
    }
    const state = health.model || "ready";
    if (state === "failed") {
      box.hidden = true;
      showError(health.error || "The model failed to load: the server's terminal says why.");
      return;
    }
    if (state === "ready") {
      box.hidden = true;
      return;
    }
    box.textContent = "Loading model… You can submit already: the answer comes once it is ready.";
    box.hidden = false;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
