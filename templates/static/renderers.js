// The answer drawn: one renderer per output kind (hubdemo/components.py lists the kinds;
// tests/test_registry.py checks each has one here), filling the kind's view (its partial).
import { $, el } from "./dom.js";
import { palette, pct, readableOn, rgb, shade, splitThinking } from "./format.js";
import { loadMarkdown, markdownLoaded, showMarkdown } from "./markdown.js";
import { info, jsonPanel, outputIds, placeholder, showResult } from "./page.js";

// A reasoning model's thinking (in reasoning_content, or in <think>…</think> at the start of
// its text) is shown apart from its answer, folded; the answer keeps the rest of the text.
export function showThinking(item, text, reasoning) {
  const { thinking, answer } = splitThinking(text);
  const thought = [reasoning || "", thinking].filter(Boolean).join("\n");
  showMarkdown($(".content", item), answer);
  let box = $("details.thinking", item);
  if (!thought) {
    if (box) box.remove();
    return;
  }
  if (!box) {
    box = el("details", "thinking");
    box.append(el("summary", "", "Thinking"), el("p", "thought", ""));
    $(".role", item).after(box);
  }
  $(".thought", box).textContent = thought;
}

let chatDraws = 0;

// A reply's Copy button: its text (the answer, not the thinking) to the clipboard.
export function copyButton(text) {
  const button = el("button", "secondary small copy", "Copy");
  button.type = "button";
  button.title = "Copy this reply";
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(text());
      button.textContent = "Copied";
    } catch (_) {
      button.textContent = "Select the text to copy it";
    }
    setTimeout(() => (button.textContent = "Copy"), 1500);
  });
  return button;
}

function bars(list, rows, limit, shown = pct) {
  list.replaceChildren();
  rows.slice(0, limit).forEach((row) => {
    const item = el("li", "bar");
    const fillEl = el("span", "fill");
    fillEl.style.width = `${Math.max(0, Math.min(1, row.score)) * 100}%`;
    const meter = el("span", "meter");
    meter.append(fillEl);
    item.append(el("span", "label", row.label), el("span", "value", shown(row.score)), meter);
    item.dataset.label = row.label; // a compare demo tells the panes' rankings apart by it
    // fill-mask: the sentence completed with the token, under it.
    if (row.sequence) meter.before(el("span", "sequence", row.sequence));
    if (row.title) item.title = row.title;
    list.append(item);
  });
}

const colour = palette();
// The overlay covers exactly the drawn image (the stage can be wider than a tall picture).
const fitOverlay = (img, overlay) => {
  overlay.style.width = `${img.clientWidth}px`;
  overlay.style.height = `${img.clientHeight}px`;
};

// A {column: [cells]} table drawn into a <table>: cellClass(r, c) marks cells; `extra`
// ({title, values}) adds a last, highlighted column.
function drawGrid(grid, table, cellClass, extra) {
  const names = Object.keys(table);
  const head = el("tr");
  names.forEach((name) => head.append(el("th", "", name)));
  if (extra) head.append(el("th", "prediction", extra.title));
  const thead = el("thead");
  thead.append(head);
  const body = el("tbody");
  (table[names[0]] || []).forEach((_, r) => {
    const tr = el("tr");
    names.forEach((name, c) => tr.append(el("td", cellClass(r, c), table[name][r])));
    if (extra) tr.append(el("td", "prediction", String(extra.values[r])));
    body.append(tr);
  });
  grid.replaceChildren(thead, body);
  sayWhenWider(grid.parentElement);
}

// A table wider than the screen scrolls sideways: say so above it while it does (a phone).
const watched = new WeakSet();
function sayWhenWider(wrap) {
  if (!wrap || watched.has(wrap) || typeof ResizeObserver === "undefined") return;
  watched.add(wrap);
  const hint = el("p", "hint scroll-hint", "Scroll sideways to see every column.");
  hint.hidden = true;
  wrap.before(hint);
  const check = () => (hint.hidden = !(wrap.scrollWidth > wrap.clientWidth + 1));
  new ResizeObserver(check).observe(wrap);
  new ResizeObserver(check).observe(wrap.firstElementChild);
}

// Shapes drawn on a copy of the input picture in the result pane (the input is left as given):
// the legend emptied for a new answer, then draw(list, img, overlay) once the copy has loaded
// (img and overlay null when there is no picture to draw on, e.g. an answer to the API).
const annotate = (root, listSelector, draw) => {
  const list = $(listSelector, root);
  const stage = $(".stage", root);
  const img = $(".annotated-image", root);
  const overlay = $(".overlay", root);
  const source = $("img.preview");
  list.replaceChildren();
  overlay.replaceChildren();
  stage.hidden = !(source && source.naturalWidth);
  if (stage.hidden) return draw(list, null, null);
  const drawn = () => {
    fitOverlay(img, overlay);
    draw(list, img, overlay);
  };
  if (img.src === source.src && img.complete && img.naturalWidth) return drawn();
  img.onload = () => {
    img.onload = null;
    drawn();
  };
  img.src = source.src;
};
const legendItem = (text, hue) => {
  const item = el("li", "", text);
  item.style.setProperty("--entity", hue);
  item.tabIndex = 0;
  return item;
};

// Each drawn shape's colour: its label's, in a shade of its own when the label comes again.
const instanceColours = (rows) => {
  const seen = {};
  return rows.map((row) => shade(colour(row.label), (seen[row.label] = (seen[row.label] ?? -1) + 1)));
};

// Rows likeliest first (the legend's order); rows without a score keep theirs.
const byScore = (rows) => [...rows].sort((a, b) => (b.score ?? -1) - (a.score ?? -1));

// Hovering, focusing or tapping a legend row fades every drawn shape but its own (a tap
// pins it until the next tap, for touch screens, which have no hover).
const isolateOnHover = (item, overlay, shape) => {
  const isolate = (on) => {
    overlay.classList.toggle("isolating", on);
    shape.classList.toggle("focus", on);
  };
  item.addEventListener("mouseenter", () => isolate(true));
  item.addEventListener("mouseleave", () => !item.classList.contains("pinned") && isolate(false));
  item.addEventListener("focus", () => isolate(true));
  item.addEventListener("blur", () => !item.classList.contains("pinned") && isolate(false));
  item.addEventListener("click", () => {
    const pin = !item.classList.contains("pinned");
    item.parentElement.querySelectorAll(".pinned").forEach((other) => other.classList.remove("pinned"));
    overlay.querySelectorAll(".focus").forEach((other) => other.classList.remove("focus"));
    item.classList.toggle("pinned", pin);
    isolate(pin);
  });
};

// A mask tinted with its label's colour on a canvas. The Hub's masks are white on black (inside
// where light); a Gradio AnnotatedImage's are coloured on transparent (inside where not clear).
const paintMask = (canvas, src, hue) => {
  const mask = new Image();
  mask.onload = () => {
    canvas.width = mask.naturalWidth;
    canvas.height = mask.naturalHeight;
    const context = canvas.getContext("2d");
    context.drawImage(mask, 0, 0);
    const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
    const [r, g, b] = rgb(hue);
    const p = pixels.data;
    let clear = false;
    for (let i = 3; i < p.length && !clear; i += 4) clear = p[i] < 255;
    for (let i = 0; i < p.length; i += 4) {
      const inside = clear ? p[i + 3] > 0 : Math.max(p[i], p[i + 1], p[i + 2]) > 127;
      p[i] = r;
      p[i + 1] = g;
      p[i + 2] = b;
      p[i + 3] = inside ? 120 : 0;
    }
    context.putImageData(pixels, 0, 0);
  };
  mask.src = src;
};

// One region: its legend row and (when there is an overlay to draw on) its painted mask.
const maskRow = (list, overlay, row, text, hue) => {
  const item = legendItem(text, hue);
  list.append(item);
  if (!overlay) return;
  const canvas = el("canvas", "mask");
  overlay.append(canvas);
  paintMask(canvas, row.mask, hue);
  isolateOnHover(item, overlay, canvas);
};

// One box over the picture, its tag kept inside the picture, isolated from its legend row.
const boxOn = (img, row, hue, index, item, overlay) => {
  const b = row.box;
  const box = el("div", "box");
  box.dataset.index = index;
  box.style.setProperty("--entity", hue);
  box.style.setProperty("--tag-fg", readableOn(hue));
  // The label inside the picture: below the box's top edge when the box touches the top.
  box.classList.toggle("tag-inside", (b.ymin / img.naturalHeight) * img.clientHeight < 24);
  box.classList.toggle("tag-right", b.xmin / img.naturalWidth > 0.6);
  box.style.left = `${(b.xmin / img.naturalWidth) * 100}%`;
  box.style.top = `${(b.ymin / img.naturalHeight) * 100}%`;
  box.style.width = `${((b.xmax - b.xmin) / img.naturalWidth) * 100}%`;
  box.style.height = `${((b.ymax - b.ymin) / img.naturalHeight) * 100}%`;
  box.append(el("span", "tag", `${row.label} ${pct(row.score)}`));
  isolateOnHover(item, overlay, box);
  return box;
};

const downloadLink = (url, name, text) => {
  const link = el("a", "download", text);
  link.href = url;
  link.download = name;
  return link;
};

// A generated image, sound or video: shown (or played) and downloadable under a sensible name.
const showFile = (root, value, selector) => {
  $(selector, root).src = value.url;
  const link = $(".download", root);
  link.href = value.url;
  link.download = value.name;
  $(".meta", root).textContent = `${value.mime} · ${(value.size / 1024).toFixed(1)} KB`;
};

export const renderers = {
  labels(root, rows) {
    const list = $(".bars", root);
    const more = $(".more", root);
    bars(list, rows, 5);
    more.hidden = rows.length <= 5;
    more.textContent = `Show all ${rows.length}`;
    more.onclick = () => {
      bars(list, rows, rows.length);
      more.hidden = true;
    };
  },
  similarity(root, value) {
    $(".source", root).textContent = `Compared with: “${value.source}”`;
    // A cosine similarity is a number in [-1, 1], not a share: shown as the output's number.
    bars(
      $(".bars", root),
      value.rows.map((r) => ({ label: r.sentence, score: r.score })),
      value.rows.length,
      (score) => score.toFixed(3)
    );
  },
  entities(root, value) {
    const spans = $(".spans", root);
    const legend = $(".legend", root);
    spans.replaceChildren();
    legend.replaceChildren();
    let cursor = 0;
    const labels = new Set();
    value.entities.forEach((e) => {
      if (e.start < cursor) return;
      spans.append(document.createTextNode(value.text.slice(cursor, e.start)));
      const mark = el("mark", "entity", value.text.slice(e.start, e.end));
      mark.style.setProperty("--entity", colour(e.label));
      mark.append(el("span", "tag", e.label));
      mark.title = `${e.label} · ${pct(e.score)}`;
      mark.dataset.span = `${e.start}:${e.end}:${e.label}`; // a compare demo's differences
      spans.append(mark);
      labels.add(e.label);
      cursor = e.end;
    });
    spans.append(document.createTextNode(value.text.slice(cursor)));
    labels.forEach((label) => {
      const item = el("li", "", label);
      item.style.setProperty("--entity", colour(label));
      legend.append(item);
    });
    if (!value.entities.length) legend.append(el("li", "none", "No entities found"));
  },
  answer(root, value) {
    $(".answer-text", root).textContent = value.answer;
    $(".score", root).textContent = typeof value.score === "number" ? pct(value.score) : "";
    const context = $(".context", root);
    context.replaceChildren();
    if (Number.isInteger(value.start) && Number.isInteger(value.end)) {
      context.append(document.createTextNode(value.context.slice(0, value.start)));
      context.append(el("mark", "", value.context.slice(value.start, value.end)));
      context.append(document.createTextNode(value.context.slice(value.end)));
    } else {
      context.textContent = value.context;
    }
    const others = value.alternatives || [];
    const list = $(".alternatives", root);
    bars(list, others, others.length);
    list.hidden = $(".alternatives-title", root).hidden = others.length < 2;
  },
  text(root, value) {
    const shown = $(".generated", root);
    // Markdown and HTML come rendered and sanitized by the server (spaces/markup.py): allow-
    // listed tags and attributes only, no script, no handlers, no javascript: links.
    if (typeof value.html === "string") shown.innerHTML = value.html;
    else shown.textContent = value.text;
    shown.classList.toggle("markup", typeof value.html === "string");
  },
  boxes(root, rows) {
    const sorted = byScore(rows);
    const hues = instanceColours(sorted);
    annotate(root, ".box-list", (list, img, overlay) =>
      sorted.forEach((row, index) => {
        const item = legendItem(`${row.label} · ${pct(row.score)}`, hues[index]);
        list.append(item);
        if (img) overlay.append(boxOn(img, row, hues[index], index, item, overlay));
      }),
    );
  },
  image(root, value) {
    showFile(root, value, ".generated-image");
  },
  audio(root, value) {
    showFile(root, value, ".generated-audio");
  },
  video(root, value) {
    showFile(root, value, ".generated-video");
  },
  tracks(root, rows) {
    // One labelled player per sound (e.g. each separated speaker), each downloadable.
    $(".tracks", root).replaceChildren(
      ...rows.map((row) => {
        const item = el("li", "track");
        const player = el("audio");
        player.controls = true;
        player.src = row.url;
        item.append(el("span", "label", row.label), player, downloadLink(row.url, row.name, "Download"));
        return item;
      })
    );
  },
  chat(root, value) {
    const list = $(".conversation", root);
    const drawn = loadMarkdown(); // its first use: drawn again once the renderer is there
    list.replaceChildren(
      ...value.messages
        .filter((m) => m.role !== "system") // the page's own system prompt is shown apart
        .map((m) => {
          const item = el("li", `turn ${m.role}`);
          const parts = typeof m.content === "string" ? [{ type: "text", text: m.content }] : m.content || [];
          const text = parts.filter((p) => p.type === "text").map((p) => p.text).join("\n");
          item.append(el("span", "role", m.role), el("div", "content", text));
          if (m.role === "assistant") {
            showThinking(item, text, m.reasoning_content);
            item.append(copyButton(() => splitThinking(text).answer));
          }
          parts
            .filter((p) => p.type === "image_url" && p.image_url)
            .forEach((p) => {
              const img = el("img", "turn-image");
              img.alt = "An image sent with the message";
              img.src = p.image_url.url;
              item.append(img);
            });
          return item;
        }),
    );
    // Drawn before the renderer had loaded: drawn again once it has (unless redrawn since).
    const draw = String(++chatDraws);
    list.dataset.draw = draw;
    if (!markdownLoaded()) drawn.then(() => list.dataset.draw === draw && markdownLoaded() && renderers.chat(root, value));
  },
  table(root, value) {
    $(".answer-text", root).textContent = value.answer;
    $(".aggregator", root).textContent = value.aggregator && value.aggregator !== "NONE" ? `(${value.aggregator})` : "";
    const marked = new Set(value.coordinates.map(([r, c]) => `${r},${c}`));
    drawGrid($(".answer-grid", root), value.table, (r, c) => (marked.has(`${r},${c}`) ? "hit" : ""));
  },
  rows(root, value) {
    // The rows as sent, each with its prediction in a last, highlighted column (a table a
    // Space answered has no such column).
    const extra = value.column ? { title: value.column, values: value.values } : undefined;
    drawGrid($(".rows-grid", root), value.table, () => "", extra);
  },
  segments(root, rows) {
    // Each mask (white = inside) is tinted with its label's colour on a canvas over the image.
    const sorted = byScore(rows);
    const hues = instanceColours(sorted);
    annotate(root, ".segment-list", (list, img, overlay) =>
      sorted.forEach((row, i) => {
        const score = typeof row.score === "number" ? ` · ${pct(row.score)}` : "";
        maskRow(list, overlay, row, `${row.label}${score}`, hues[i]);
      }),
    );
  },
  gallery(root, value) {
    $(".gallery", root).replaceChildren(
      ...value.items.map((item, i) => {
        const figure = el("figure");
        const shown = el(item.kind === "video" ? "video" : "img");
        shown.src = item.url;
        if (item.kind === "video") shown.controls = true;
        else shown.alt = item.caption || `Picture ${i + 1}`;
        figure.append(shown);
        if (item.caption) figure.append(el("figcaption", "", item.caption));
        figure.append(downloadLink(item.url, item.name, "Download"));
        const entry = el("li");
        entry.append(figure);
        return entry;
      })
    );
  },
  annotated(root, value) {
    // The picture the Space answered, its regions painted over it as a segmentation's are.
    const img = $(".annotated-image", root);
    const overlay = $(".overlay", root);
    const list = $(".segment-list", root);
    list.replaceChildren();
    overlay.replaceChildren();
    const link = $(".download", root);
    link.href = value.image.url;
    link.download = value.image.name;
    img.onload = () => fitOverlay(img, overlay);
    img.src = value.image.url;
    const hues = instanceColours(value.segments);
    value.segments.forEach((row, i) => maskRow(list, overlay, row, row.label, hues[i]));
  },
  file(root, value) {
    // Each file under its own name, downloadable; a text file's start is shown as text.
    $(".files", root).replaceChildren(
      ...value.files.map((file) => {
        const item = el("li");
        item.append(downloadLink(file.url, file.name, file.name), document.createTextNode(" "), el("span", "meta", `${file.mime} · ${(file.size / 1024).toFixed(1)} KB`));
        if (typeof file.preview === "string") item.append(el("pre", "file-preview", file.preview));
        return item;
      })
    );
  },
  embedding(root, value) {
    const [rows, dims] = value.shape;
    $(".meta", root).textContent =
      `${dims} dimensions` + (value.pooled ? ` · mean of ${rows} token vectors` : "") +
      ` · L2 norm ${value.norm.toFixed(3)}`;
    const strip = $(".strip", root);
    strip.replaceChildren();
    const peak = Math.max(...value.vector.map(Math.abs)) || 1;
    value.vector.forEach((v, i) => {
      const cell = el("span", "cell");
      const alpha = Math.abs(v) / peak;
      cell.style.background = v >= 0 ? `rgba(220,38,38,${alpha})` : `rgba(37,99,235,${alpha})`;
      cell.title = `dim ${i}: ${v.toFixed(4)}`;
      strip.append(cell);
    });
  },
};

// The answer drawn in the page's result pane, or (a compare demo) in one model's `pane`,
// whose outputs are numbered as the page's behind its prefix.
export function render(payload, pane = null) {
  const prefix = pane ? pane.dataset.prefix : "";
  (pane ? $(".placeholder", pane) : placeholder).hidden = true;
  info.outputs.forEach((component, index) => {
    const root = document.getElementById(prefix + outputIds[index]);
    const value = payload.data[index];
    // A Space may answer nothing (None) for an output: one line says so, in its view's place.
    const nothing = value && typeof value === "object" && typeof value.nothing === "string";
    root.classList.toggle("is-empty", nothing);
    let note = $(":scope > .nothing", root);
    if (nothing && !note) note = root.appendChild(el("p", "nothing hint"));
    if (note) {
      note.textContent = nothing ? value.nothing : "";
      note.hidden = !nothing;
    }
    if (!nothing) renderers[component.kind](root, value);
    root.hidden = false;
  });
  (pane ? $(".json", pane) : $("#json")).textContent = JSON.stringify(payload.output, null, 2);
  (pane ? $(".json-panel", pane) : jsonPanel).hidden = false;
  if (!pane) showResult();
}
