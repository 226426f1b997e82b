// The form's inputs: files (chosen, dropped, pasted, recorded), editable tables, parameter
// controls; their values as /api/predict's "data" and "parameters"; filled from an example.
import { $, $$, el } from "./dom.js";
import { bytesOf, dataUrlBytes } from "./format.js";
import { info, showError } from "./page.js";
import { drawWaveform, wireWaveform } from "./waveform.js";

const media = {}; // input index -> data URL

// A File input's data URL carries the file's name (RFC 2397's parameters): the Space gets it.
function dataUrlOf(file, named) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () =>
      resolve(named ? reader.result.replace(";base64,", `;name=${encodeURIComponent(file.name)};base64,`) : reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

// What each media input takes, in the visitor's words (the server checks again).
const TAKES = {
  image: ["a picture", "a PNG, JPEG, GIF or WEBP file"],
  audio: ["a sound", "a WAV, FLAC, MP3 or OGG file"],
  video: ["a video", "an MP4, WEBM or MOV file"],
};
const KNOWN = { "application/pdf": "a PDF document", "text/plain": "a text file", "application/zip": "a ZIP archive" };

// Why `file` cannot go in a `kind` input, or null when it can.
export function refusal(file, kind) {
  const takes = TAKES[kind];
  if (!takes || (file.type || "").startsWith(`${kind}/`)) return null;
  const is = KNOWN[file.type] || (file.type ? `a ${file.type} file` : "a file of an unknown kind");
  return `"${file.name}" is ${is}, not ${takes[0]}: choose ${takes[1]}.`;
}

// Files being read (a FileReader takes a moment): a run waits for them rather than finding
// the input empty.
const reading = new Set();
export const filesRead = () => Promise.allSettled([...reading]);

function readFiles(index, files) {
  const read = readChosen(index, files);
  reading.add(read);
  read.catch(() => {}).finally(() => reading.delete(read));
  return read;
}

// The files chosen for an input: one, or all of them for an input that takes several.
async function readChosen(index, files) {
  const input = $(`[data-input="${index}"]`);
  const named = Boolean(input) && input.dataset.kind === "file";
  const chosen = Array.from(files).filter(Boolean);
  if (!chosen.length) return;
  const refused = chosen.map((f) => refusal(f, input && input.dataset.kind)).find(Boolean);
  if (refused) {
    if (input && input.type === "file") input.value = "";
    return showError(refused);
  }
  $("#error").hidden = true;
  if (input && input.multiple) setFiles(index, await Promise.all(chosen.map((f) => dataUrlOf(f, named))));
  else setMedia(index, await dataUrlOf(chosen[0], named), chosen[0]);
}

function readFile(index, file) {
  return readFiles(index, [file]);
}

// Several files for one input: a list of data URLs, listed by name and size.
function setFiles(index, urls) {
  media[index] = urls;
  const chosen = $(`[data-drop="${index}"] .chosen-file`);
  if (!chosen) return;
  chosen.textContent = urls
    .map((url) => {
      const name = (url.match(/;name=([^;,]*)/) || [])[1];
      return `${name ? decodeURIComponent(name) : "A file"} · ${(dataUrlBytes(url) / 1024).toFixed(1)} KB`;
    })
    .join(", ");
  chosen.hidden = false;
}

// The microphone: Record starts, the same button stops; the take becomes the input.
function wireRecorder(button) {
  let recorder = null;
  button.addEventListener("click", async () => {
    if (recorder) {
      recorder.stop();
      return;
    }
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (err) {
      showError(`The microphone is not available (${err.message}); choose a file instead.`);
      return;
    }
    const chunks = [];
    recorder = new MediaRecorder(stream);
    recorder.ondataavailable = (event) => chunks.push(event.data);
    recorder.onstop = () => {
      stream.getTracks().forEach((track) => track.stop());
      const reader = new FileReader();
      reader.onload = () => setMedia(Number(button.dataset.record), reader.result, "recording");
      reader.readAsDataURL(new Blob(chunks, { type: recorder.mimeType }));
      recorder = null;
      button.textContent = "● Record";
      button.classList.remove("recording");
    };
    recorder.start();
    button.textContent = "■ Stop";
    button.classList.add("recording");
  });
}

// The camera (where the browser has one and allows it): a live view, Take it makes the frame
// the input (a PNG), the camera is let go as soon as it is not needed.
function wireCamera(button) {
  const field = button.closest("[data-drop]");
  const view = $(".camera-view", field);
  const feed = $(".camera-feed", field);
  let stream = null;
  const stop = () => {
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    feed.srcObject = null;
    view.hidden = true;
  };
  button.hidden = !(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
  button.addEventListener("click", async () => {
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: true });
    } catch (err) {
      showError(`The camera is not available (${err.message}); choose a file instead.`);
      return;
    }
    feed.srcObject = stream;
    view.hidden = false;
    await feed.play().catch(() => {});
  });
  $(".snap", view).addEventListener("click", () => {
    const canvas = document.createElement("canvas");
    canvas.width = feed.videoWidth;
    canvas.height = feed.videoHeight;
    canvas.getContext("2d").drawImage(feed, 0, 0);
    stop();
    setMedia(Number(button.dataset.camera), canvas.toDataURL("image/png"), "photo");
  });
  $(".camera-off", view).addEventListener("click", stop);
}

// ``source``: the File chosen, dropped or pasted, else a name for what was made (a recording,
// a photo; an example when none is given).
export function setMedia(index, dataUrl, source = "example") {
  media[index] = dataUrl;
  const field = $(`[data-drop="${index}"]`);
  if (!field) return;
  const file = typeof source === "string" ? fileOf(dataUrl, source) : source;
  nameInInput(field, file);
  const remove = $(".remove", field);
  if (remove) remove.hidden = false;
  const img = $("img.preview", field);
  if (img) {
    img.src = dataUrl;
    $(".stage", field).hidden = false;
  }
  const chosen = $(".chosen-file", field);
  if (chosen) {
    const name = (dataUrl.match(/;name=([^;,]*)/) || [])[1];
    chosen.textContent = `${name ? decodeURIComponent(name) : "A file"} · ${(dataUrlBytes(dataUrl) / 1024).toFixed(1)} KB`;
    chosen.hidden = false;
  }
  const player = $("audio.preview, video.preview", field);
  if (player) {
    player.src = dataUrl;
    player.hidden = false;
  }
  const waveform = $("canvas.waveform", field);
  if (waveform) drawWaveform(waveform, file);
}

export function clearMedia() {
  $$(".field.media[data-drop]").forEach((field) => removeMedia(field.dataset.drop));
  Object.keys(media).forEach((k) => delete media[k]);
}

// The file input names what is taken, wherever it came from (an example, the microphone, the
// camera, a drop or a paste): the browser's "No file chosen" beside a preview would be wrong.
function nameInInput(field, file) {
  const input = $('input[type="file"]', field);
  if (!input || !file || typeof DataTransfer === "undefined") return;
  const list = new DataTransfer();
  list.items.add(file);
  input.files = list.files;
}

function fileOf(dataUrl, stem) {
  const comma = dataUrl.indexOf(",");
  const head = dataUrl.slice("data:".length, comma);
  const type = head.split(";")[0] || "application/octet-stream";
  const named = (head.match(/;name=([^;]*)/) || [])[1];
  const extension = (type.split("/")[1] || "bin").replace(/^x-/, "").split("+")[0];
  return new File([bytesOf(dataUrl)], named ? decodeURIComponent(named) : `${stem}.${extension}`, { type });
}

// Paste (where the browser lets a page read the clipboard): the picture copied becomes the
// input, as Ctrl+V on the page does.
function wirePaste(button) {
  button.hidden = !(navigator.clipboard && navigator.clipboard.read);
  button.addEventListener("click", async () => {
    let items;
    try {
      items = await navigator.clipboard.read();
    } catch (err) {
      showError(`This page may not read the clipboard (${err.message}): press Ctrl+V (⌘V) on the page, or choose a file.`);
      return;
    }
    for (const item of items) {
      const type = item.types.find((t) => t.startsWith("image/"));
      if (type) {
        const blob = await item.getType(type);
        return readFile(button.dataset.paste, new File([blob], `pasted.${type.split("/")[1]}`, { type }));
      }
    }
    showError("The clipboard holds no picture: copy an image first, or choose a file.");
  });
}

// × on a media input: the file taken out, the input as it was first shown.
function removeMedia(index) {
  delete media[index];
  const field = $(`[data-drop="${index}"]`);
  $$(".stage, audio.preview, video.preview, canvas.waveform, .chosen-file, .remove", field).forEach((n) => (n.hidden = true));
  const input = $(`[data-input="${index}"]`);
  if (input) input.value = "";
}

// An editable grid <-> {column: [cells]}.
function readTable(grid) {
  const names = $$("thead th", grid).map((th) => th.textContent.trim());
  const table = {};
  names.forEach((name, col) => {
    table[name] = $$("tbody tr", grid).map((tr) => (tr.children[col] || {}).textContent?.trim() ?? "");
  });
  return table;
}

function writeTable(grid, table) {
  const names = Object.keys(table);
  const rows = names.length ? table[names[0]].length : 0;
  const head = el("tr");
  names.forEach((name) => head.append(Object.assign(el("th", "", name), { contentEditable: "true" })));
  const body = [];
  for (let r = 0; r < rows; r++) {
    const tr = el("tr");
    names.forEach((name) => tr.append(Object.assign(el("td", "", String(table[name][r])), { contentEditable: "true" })));
    body.push(tr);
  }
  $("thead", grid).replaceChildren(head);
  $("tbody", grid).replaceChildren(...body);
}

function wireTable(field) {
  const grid = $("table", field);
  $$("[data-add]", field).forEach((button) =>
    button.addEventListener("click", () => {
      const table = readTable(grid);
      const names = Object.keys(table);
      const rows = names.length ? table[names[0]].length : 0;
      if (button.dataset.add === "row") names.forEach((name) => table[name].push(""));
      else table[`Column ${names.length + 1}`] = Array(rows).fill("");
      writeTable(grid, table);
    })
  );
}

// Every input's handlers: file choosers, drop zones, paste, the microphone, tables.
export function wireInputs() {
  $$("[data-record]").forEach(wireRecorder);
  $$("[data-camera]").forEach(wireCamera);
  $$("[data-paste]").forEach(wirePaste);
  $$("canvas.waveform").forEach(wireWaveform);
  $$("input[type=file]").forEach((input) => {
    input.addEventListener("change", () => {
      if (input.files && input.files[0]) readFiles(input.dataset.input, input.files);
    });
  });
  $$("[data-drop]").forEach((field) => {
    field.addEventListener("dragover", (event) => {
      event.preventDefault();
      field.classList.add("dragging");
    });
    field.addEventListener("dragleave", () => field.classList.remove("dragging"));
    field.addEventListener("drop", (event) => {
      event.preventDefault();
      field.classList.remove("dragging");
      readFiles(field.dataset.drop, event.dataTransfer.files);
    });
  });
  document.addEventListener("paste", (event) => {
    const field = $("[data-drop]");
    const item = Array.from(event.clipboardData ? event.clipboardData.items : []).find(
      (i) => i.kind === "file"
    );
    if (field && item) readFile(field.dataset.drop, item.getAsFile());
  });
  $$("[data-table-input]").forEach(wireTable);
  $$(".field.media .remove").forEach((button) =>
    button.addEventListener("click", () => removeMedia(button.closest("[data-drop]").dataset.drop)),
  );
  // A slider and its number box move together; the number box is what is sent.
  $$("input.slider").forEach((slider) => {
    const box = document.getElementById(slider.dataset.sliderFor);
    ["input", "change"].forEach((kind) => slider.addEventListener(kind, () => (box.value = slider.value)));
    box.addEventListener("input", () => box.value !== "" && (slider.value = box.value));
  });
}

export function values() {
  return info.inputs.map((component, index) => {
    if (["image", "audio", "video", "file"].includes(component.kind)) return media[index] || (component.multiple ? [] : "");
    if (component.kind === "table") return readTable($(`[data-input="${index}"]`));
    return $(`[data-input="${index}"]`).value;
  });
}

// JSON typed into a "json" control; what does not parse goes as text, and the server's 422
// names the parameter.
const parsed = (raw) => {
  try {
    return JSON.parse(raw);
  } catch (err) {
    return raw;
  }
};

// The filled-in parameter controls, typed as the spec says; empty ones are left out. A name
// "group.key" is a setting inside an object parameter (generation_parameters.max_new_tokens).
export function parameters() {
  const chosen = {};
  $$("[data-param]").forEach((control) => {
    const raw = control.value.trim();
    if (raw === "") return;
    const kind = control.dataset.kind;
    let value = raw;
    if (kind === "integer" || kind === "number") value = Number(raw);
    else if (kind === "boolean") value = raw === "true";
    else if (kind === "list") value = raw.split(",").map((s) => s.trim()).filter(Boolean);
    else if (kind === "json") value = parsed(raw);
    const [group, key] = control.dataset.param.split(".");
    if (key === undefined) chosen[group] = value;
    else (chosen[group] = chosen[group] || {})[key] = value;
  });
  return chosen;
}

export function fill(data) {
  data.forEach((value, index) => {
    const input = $(`[data-input="${index}"]`);
    if (input && input.dataset.kind === "table") return writeTable(input, value);
    if (input && input.type === "file") {
      if (typeof value === "string" && value.startsWith("data:")) setMedia(index, value);
    } else if (input) input.value = value;
  });
}

// An example that sets parameters (a Space's gr.Examples row) sets their controls too.
export function setParameters(given) {
  Object.entries(given || {}).forEach(([name, value]) => {
    const control = $$("[data-param]").find((c) => c.dataset.param === name);
    if (!control) return;
    control.value = typeof value === "object" ? JSON.stringify(value) : String(value);
  });
}
