// A local model not ready yet: the page says what is happening (polling /healthz) until it
// is: its files downloading (a bar, "120 MB of 346 MB"), then loading, then ready.
import { showError } from "./page.js";

const WAIT = "You can submit already: the answer comes once it is ready.";

// Bytes as people read them: 812 KB, 120 MB, 1.2 GB (decimal units, as the terminal's).
export function bytes(count) {
  for (const [unit, scale] of [["GB", 1e9], ["MB", 1e6], ["KB", 1e3]]) {
    if (count >= scale) {
      const value = count / scale;
      return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${unit}`;
    }
  }
  return `${count} B`;
}

function showDownload(box, download) {
  const line = document.createElement("span");
  line.className = "download-line";
  const files = `file ${Math.min(download.files + 1, download.of_files)} of ${download.of_files}`;
  line.textContent = `Downloading ${download.model}: ${bytes(download.bytes)} of ` +
    `${bytes(download.total)} (${files}). ${WAIT}`;
  const bar = document.createElement("progress");
  bar.className = "download-bar";
  bar.max = Math.max(download.total, 1);
  bar.value = download.bytes;
  bar.setAttribute("aria-label", `Download of ${download.model}`);
  box.replaceChildren(line, bar);
}

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
    if (state === "downloading" && health.download) {
      showDownload(box, health.download);
    } else {
      box.textContent = `Loading model… ${WAIT}`;
    }
    box.hidden = false;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
