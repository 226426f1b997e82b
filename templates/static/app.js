// hubdemo page: collects the inputs, POSTs /api/predict, draws the answer.
// Model outputs are always inserted as text (textContent), never as HTML.
"use strict";

(function () {
  const info = JSON.parse(document.getElementById("hubdemo-info").textContent);
  const form = document.getElementById("form");
  const submit = document.getElementById("submit");
  const cancel = document.getElementById("cancel");
  const clear = document.getElementById("clear");
  const elapsed = document.getElementById("elapsed");
  const statusEl = document.getElementById("status");
  const errorEl = document.getElementById("error");
  const placeholder = document.getElementById("placeholder");
  const jsonPanel = document.getElementById("json-panel");
  const media = {}; // input index -> data URL
  let controller = null;
  let timer = null;

  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  const el = (tag, cls, text) => {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const pct = (score) => (score * 100).toFixed(score >= 0.995 || score < 0.001 ? 2 : 1) + "%";

  // ---- inputs ---------------------------------------------------------------------------

  // A File input's data URL carries the file's name (RFC 2397's parameters): the Space gets it.
  function readFile(index, file) {
    const reader = new FileReader();
    const input = $(`[data-input="${index}"]`);
    const named = input && input.dataset.kind === "file";
    reader.onload = () => {
      const url = named ? reader.result.replace(";base64,", `;name=${encodeURIComponent(file.name)};base64,`) : reader.result;
      setMedia(index, url);
    };
    reader.readAsDataURL(file);
  }

  // The microphone: Record starts, the same button stops; the take becomes the input.
  $$("[data-record]").forEach((button) => {
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
        reader.onload = () => setMedia(Number(button.dataset.record), reader.result);
        reader.readAsDataURL(new Blob(chunks, { type: recorder.mimeType }));
        recorder = null;
        button.textContent = "● Record";
        button.classList.remove("recording");
      };
      recorder.start();
      button.textContent = "■ Stop";
      button.classList.add("recording");
    });
  });

  function setMedia(index, dataUrl) {
    media[index] = dataUrl;
    const field = $(`[data-drop="${index}"]`);
    if (!field) return;
    const img = $("img.preview", field);
    if (img) {
      img.src = dataUrl;
      $(".stage", field).hidden = false;
      $(".overlay", field).replaceChildren();
    }
    const chosen = $(".chosen-file", field);
    if (chosen) {
      const name = (dataUrl.match(/;name=([^;,]*)/) || [])[1];
      const bytes = Math.floor(((dataUrl.length - dataUrl.indexOf(",") - 1) * 3) / 4);
      chosen.textContent = `${name ? decodeURIComponent(name) : "A file"} · ${(bytes / 1024).toFixed(1)} KB`;
      chosen.hidden = false;
    }
    const player = $("audio.preview, video.preview", field);
    if (player) {
      player.src = dataUrl;
      player.hidden = false;
    }
  }

  $$("input[type=file]").forEach((input) => {
    input.addEventListener("change", () => {
      if (input.files && input.files[0]) readFile(input.dataset.input, input.files[0]);
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
      const file = event.dataTransfer.files[0];
      if (file) readFile(field.dataset.drop, file);
    });
  });
  document.addEventListener("paste", (event) => {
    const field = $("[data-drop]");
    const item = Array.from(event.clipboardData ? event.clipboardData.items : []).find(
      (i) => i.kind === "file"
    );
    if (field && item) readFile(field.dataset.drop, item.getAsFile());
  });

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

  $$("[data-table-input]").forEach((field) => {
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
  });

  function values() {
    return info.inputs.map((component, index) => {
      if (["image", "audio", "video", "file"].includes(component.kind)) return media[index] || "";
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
  function parameters() {
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

  function fill(data) {
    data.forEach((value, index) => {
      const input = $(`[data-input="${index}"]`);
      if (input && input.dataset.kind === "table") return writeTable(input, value);
      if (input && input.type === "file") {
        if (typeof value === "string" && value.startsWith("data:")) setMedia(index, value);
      } else if (input) input.value = value;
    });
  }

  // ---- request --------------------------------------------------------------------------

  // While a request runs the submit button keeps its label and width (nothing shifts): Cancel
  // takes Clear's place, and the time so far is counted beside them.
  function busy(on) {
    submit.disabled = on;
    submit.setAttribute("aria-busy", String(on));
    cancel.hidden = !on;
    clear.hidden = on;
    clearInterval(timer);
    elapsed.textContent = "";
    if (on) {
      const started = performance.now();
      const tick = () => {
        elapsed.textContent = `${((performance.now() - started) / 1000).toFixed(1)} s`;
      };
      tick();
      timer = setInterval(tick, 100);
    }
  }

  function showError(message) {
    errorEl.textContent = message;
    errorEl.hidden = false;
  }

  // A Hub task whose one input is a file takes the file itself as the body (parameters in the
  // query string, each as JSON): no base64 on the way, a third of the bytes fewer.
  const FILE_KINDS = ["image", "audio", "video"];
  const fileBody = !info.space && info.inputs.length === 1 && FILE_KINDS.includes(info.inputs[0].kind);

  function blobOf(dataUrl) {
    const comma = dataUrl.indexOf(",");
    const type = dataUrl.slice(5, comma).split(";")[0];
    const text = atob(dataUrl.slice(comma + 1));
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return new Blob([bytes], { type });
  }

  // The server reads a query value as JSON when it is JSON, else as text: a text that would
  // read as JSON ("3", "true") is quoted, any other is sent as it is.
  function queryValue(value) {
    if (typeof value !== "string") return JSON.stringify(value);
    try {
      JSON.parse(value);
      return JSON.stringify(value);
    } catch (_) {
      return value;
    }
  }

  function queryValues(chosen) {
    return Object.fromEntries(Object.entries(chosen).map(([k, v]) => [k, queryValue(v)]));
  }

  function queryOf(chosen) {
    const query = new URLSearchParams(queryValues(chosen));
    return query.toString() ? `?${query}` : "";
  }

  function requestOf(body) {
    const file = body.data[0];
    if (fileBody && typeof file === "string" && file.startsWith("data:")) {
      const blob = blobOf(file);
      return { url: `/api/predict${queryOf(body.parameters || {})}`, type: blob.type, content: blob };
    }
    return { url: "/api/predict", type: "application/json", content: JSON.stringify(body) };
  }

  async function run() {
    if (controller) return;
    if (chatMode) return runChat();
    const body = { data: values() };
    const chosen = parameters();
    if (Object.keys(chosen).length) body.parameters = chosen;
    errorEl.hidden = true;
    statusEl.textContent = "";
    updateSnippets(body);
    controller = new AbortController();
    busy(true);
    try {
      let response;
      let payload;
      const request = requestOf(body);
      // A loading model (503) or a rate limit (429) says when to come back: wait, saying so,
      // and try again by ourselves a few times (Cancel stops it).
      for (let attempt = 0; ; attempt++) {
        response = await fetch(request.url, {
          method: "POST",
          headers: { "Content-Type": request.type },
          body: request.content,
          signal: controller.signal,
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
          controller.signal.addEventListener("abort", () => {
            clearTimeout(timer);
            reject(new DOMException("cancelled", "AbortError"));
          });
        });
        statusEl.textContent = "";
      }
      if (!response.ok) {
        const retry = response.headers.get("Retry-After");
        showError(payload.error + (retry ? ` (retry in about ${retry} s)` : ""));
        return;
      }
      statusEl.textContent = `Answered in ${payload.duration.toFixed(2)} s`;
      render(payload);
    } catch (err) {
      if (err.name === "AbortError") statusEl.textContent = "Cancelled.";
      else showError(`Could not reach the hubdemo server (${err.message}); is it still running?`);
    } finally {
      controller = null;
      busy(false);
    }
  }

  // ---- chat: the conversation is kept here, answers stream in (server-sent events) ------

  // A reasoning model's thinking (in reasoning_content, or in <think>…</think> at the start of
  // its text) is shown apart from its answer, folded; the answer keeps the rest of the text.
  function splitThinking(text) {
    const start = text.search(/\S/);
    if (start < 0 || !text.startsWith("<think>", start)) return { thinking: "", answer: text };
    const body = text.slice(start + "<think>".length);
    const end = body.indexOf("</think>");
    if (end < 0) return { thinking: body.trim(), answer: "" };
    return { thinking: body.slice(0, end).trim(), answer: body.slice(end + "</think>".length).replace(/^\s+/, "") };
  }

  function showThinking(item, text, reasoning) {
    const { thinking, answer } = splitThinking(text);
    const thought = [reasoning || "", thinking].filter(Boolean).join("\n");
    $(".content", item).textContent = answer;
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

  const chatMode = info.inputs.length === 1 && info.inputs[0].kind === "chat";
  let history = [];
  const newChat = $("#new-chat");
  if (newChat) {
    newChat.addEventListener("click", () => {
      history = [];
      $("#out-chat").hidden = true;
      $("#out-chat .conversation").replaceChildren();
    });
  }

  // Image-text-to-text models: an image may go with the message (OpenAI-style content parts).
  const chatImage = $("#chat-image");
  const chatPreview = $(".chat-image-preview");
  let attached = null;
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

  async function runChat() {
    const box = $('[data-input="0"]');
    const message = box.value.trim();
    if (!message) return showError("Type a message first.");
    const content = attached
      ? [{ type: "text", text: message }, { type: "image_url", image_url: { url: attached } }]
      : message;
    const body = { messages: [...history, { role: "user", content }], ...parameters() };
    errorEl.hidden = true;
    updateSnippets({ data: [message] });
    controller = new AbortController();
    busy(true);
    const root = $("#out-chat");
    renderers.chat(root, { messages: [...body.messages, { role: "assistant", content: "" }] });
    root.hidden = false;
    placeholder.hidden = true;
    const liveItem = $(".conversation li:last-child", root);
    let written = "";
    let reasoned = "";
    try {
      const response = await fetch("/api/predict?stream=true", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      if (!response.ok) {
        const payload = await response.json().catch(() => ({ error: `the server answered ${response.status}` }));
        showError(payload.error);
        return;
      }
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let cut;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const isError = block.startsWith("event: error");
          const line = block.split("\n").find((l) => l.startsWith("data: "));
          if (!line) continue;
          const event = JSON.parse(line.slice(6));
          if (isError) {
            showError(event.error);
          } else if (event.delta !== undefined) {
            written += event.delta;
            showThinking(liveItem, written, reasoned);
          } else if (event.reasoning !== undefined) {
            reasoned += event.reasoning;
            showThinking(liveItem, written, reasoned);
          } else if (event.output) {
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
        }
      }
    } catch (err) {
      if (err.name === "AbortError") statusEl.textContent = "Cancelled.";
      else showError(`Could not reach the hubdemo server (${err.message}); is it still running?`);
    } finally {
      controller = null;
      busy(false);
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });
  form.addEventListener("reset", () => {
    Object.keys(media).forEach((k) => delete media[k]);
    $$(".stage, audio.preview, video.preview").forEach((n) => (n.hidden = true));
    // Clear clears the result too: the page is as it was first shown.
    info.outputs.forEach((component) => (document.getElementById(`out-${component.kind}`).hidden = true));
    $("#error").hidden = true;
    statusEl.textContent = "";
    jsonPanel.hidden = true;
    placeholder.hidden = false;
  });
  cancel.addEventListener("click", () => controller && controller.abort());
  document.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      run();
    }
  });
  // An example that sets parameters (a Space's gr.Examples row) sets their controls too.
  function setParameters(given) {
    Object.entries(given || {}).forEach(([name, value]) => {
      const control = $$("[data-param]").find((c) => c.dataset.param === name);
      if (!control) return;
      control.value = typeof value === "object" ? JSON.stringify(value) : String(value);
    });
  }

  $$("[data-example]").forEach((chip) => {
    chip.addEventListener("click", () => {
      const example = info.examples[Number(chip.dataset.example)];
      fill(example.data);
      setParameters(example.parameters);
      run();
    });
  });

  // ---- outputs --------------------------------------------------------------------------

  function bars(list, rows, limit, shown = pct) {
    list.replaceChildren();
    rows.slice(0, limit).forEach((row) => {
      const item = el("li", "bar");
      const fillEl = el("span", "fill");
      fillEl.style.width = `${Math.max(0, Math.min(1, row.score)) * 100}%`;
      const meter = el("span", "meter");
      meter.append(fillEl);
      item.append(el("span", "label", row.label), el("span", "value", shown(row.score)), meter);
      if (row.title) item.title = row.title;
      list.append(item);
    });
  }

  const PALETTE = ["#2563eb", "#db2777", "#059669", "#d97706", "#7c3aed", "#0891b2", "#dc2626"];
  const colour = (() => {
    const seen = {};
    return (label) => (seen[label] = seen[label] || PALETTE[Object.keys(seen).length % PALETTE.length]);
  })();
  const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
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
  }

  // Shapes drawn over the input image: its overlay and the legend list, emptied for a new answer.
  const overlayFor = (root, listSelector) => {
    const list = $(listSelector, root);
    const img = $("img.preview");
    const overlay = $(".overlay");
    list.replaceChildren();
    if (overlay) overlay.replaceChildren();
    if (img && overlay) fitOverlay(img, overlay);
    return { list, img, overlay };
  };
  const legendItem = (text, label) => {
    const item = el("li", "", text);
    item.style.setProperty("--entity", colour(label));
    item.tabIndex = 0;
    return item;
  };

  // Hovering (or focusing) a legend row fades every drawn shape but its own.
  const isolateOnHover = (item, overlay, shape) => {
    const isolate = (on) => {
      overlay.classList.toggle("isolating", on);
      shape.classList.toggle("focus", on);
    };
    item.addEventListener("mouseenter", () => isolate(true));
    item.addEventListener("mouseleave", () => isolate(false));
    item.addEventListener("focus", () => isolate(true));
    item.addEventListener("blur", () => isolate(false));
  };

  // A mask tinted with its label's colour on a canvas. The Hub's masks are white on black (inside
  // where light); a Gradio AnnotatedImage's are coloured on transparent (inside where not clear).
  const paintMask = (canvas, src, label) => {
    const mask = new Image();
    mask.onload = () => {
      canvas.width = mask.naturalWidth;
      canvas.height = mask.naturalHeight;
      const context = canvas.getContext("2d");
      context.drawImage(mask, 0, 0);
      const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
      const [r, g, b] = rgb(colour(label));
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
  const maskRow = (list, overlay, row, text) => {
    const item = legendItem(text, row.label);
    list.append(item);
    if (!overlay) return;
    const canvas = el("canvas", "mask");
    overlay.append(canvas);
    paintMask(canvas, row.mask, row.label);
    isolateOnHover(item, overlay, canvas);
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

  const renderers = {
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
      $(".generated", root).textContent = value.text;
    },
    boxes(root, rows) {
      const { list, img, overlay } = overlayFor(root, ".box-list");
      rows.forEach((row, index) => {
        const item = legendItem(`${row.label} · ${pct(row.score)}`, row.label);
        list.append(item);
        if (!img || !overlay || !img.naturalWidth) return;
        const b = row.box;
        const box = el("div", "box");
        box.dataset.index = index;
        box.style.setProperty("--entity", colour(row.label));
        box.style.left = `${(b.xmin / img.naturalWidth) * 100}%`;
        box.style.top = `${(b.ymin / img.naturalHeight) * 100}%`;
        box.style.width = `${((b.xmax - b.xmin) / img.naturalWidth) * 100}%`;
        box.style.height = `${((b.ymax - b.ymin) / img.naturalHeight) * 100}%`;
        box.append(el("span", "tag", `${row.label} ${pct(row.score)}`));
        overlay.append(box);
        isolateOnHover(item, overlay, box);
      });
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
      list.replaceChildren(
        ...value.messages.map((m) => {
          const item = el("li", `turn ${m.role}`);
          const parts = typeof m.content === "string" ? [{ type: "text", text: m.content }] : m.content || [];
          const text = parts.filter((p) => p.type === "text").map((p) => p.text).join("\n");
          item.append(el("span", "role", m.role), el("p", "content", text));
          if (m.role === "assistant") showThinking(item, text, m.reasoning_content);
          parts
            .filter((p) => p.type === "image_url" && p.image_url)
            .forEach((p) => {
              const img = el("img", "turn-image");
              img.alt = "An image sent with the message";
              img.src = p.image_url.url;
              item.append(img);
            });
          return item;
        })
      );
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
      const { list, img, overlay } = overlayFor(root, ".segment-list");
      rows.forEach((row) => {
        const score = typeof row.score === "number" ? ` · ${pct(row.score)}` : "";
        maskRow(list, img && img.naturalWidth ? overlay : null, row, `${row.label}${score}`);
      });
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
      value.segments.forEach((row) => maskRow(list, overlay, row, row.label));
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

  function render(payload) {
    placeholder.hidden = true;
    info.outputs.forEach((component, index) => {
      const root = document.getElementById(`out-${component.kind}`);
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
    $("#json").textContent = JSON.stringify(payload.output, null, 2);
    jsonPanel.hidden = false;
    showResult();
  }

  // On a narrow screen the result is below the inputs: bring it into view (without animation
  // for those who asked for reduced motion).
  function showResult() {
    if (!window.matchMedia("(max-width: 800px)").matches) return;
    const still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    $(".pane.outputs").scrollIntoView({ behavior: still ? "auto" : "smooth", block: "start" });
  }

  // ---- "Use via API" ------------------------------------------------------------------------

  // A JSON value written as a Python literal (True/False/None; strings as JSON writes them,
  // which Python reads the same).
  function python(value) {
    if (value === null) return "None";
    if (value === true) return "True";
    if (value === false) return "False";
    if (Array.isArray(value)) return `[${value.map(python).join(", ")}]`;
    if (typeof value === "object") {
      return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${python(v)}`).join(", ")}}`;
    }
    return JSON.stringify(value);
  }

  function updateSnippets(body) {
    const shown = {
      data: body.data.map((v) => (typeof v === "string" && v.startsWith("data:") ? v.slice(0, 40) + "…" : v)),
    };
    if (body.parameters) shown.parameters = body.parameters;
    const url = `${location.origin}/api/predict`;
    const json = JSON.stringify(shown);
    const hasMedia = body.data.some((v) => typeof v === "string" && v.startsWith("data:"));
    const request = requestOf(body);
    if (request.type !== "application/json") {
      // The file itself as the body, as the page sends it.
      const file = `${info.inputs[0].name}.${request.type.split("/")[1].replace(/^x-/, "")}`;
      const target = `${url}${queryOf(body.parameters || {})}`;
      $("#snippet-curl").textContent =
        `curl -X POST '${target.replace(/'/g, "'\\''")}' \\\n  -H 'Content-Type: ${request.type}' \\\n  --data-binary @${file}`;
      $("#snippet-python").textContent =
        `import requests\n\nresponse = requests.post(\n    "${url}",\n` +
        (body.parameters ? `    params=${python(queryValues(body.parameters))},\n` : "") +
        `    data=open(${python(file)}, "rb"),\n    headers={"Content-Type": ${python(request.type)}},\n    timeout=120,\n)` +
        `\nprint(response.json()["output"])`;
    } else {
      $("#snippet-curl").textContent = hasMedia
        ? `curl -X POST ${url} \\\n  -H 'Content-Type: application/json' \\\n  -d @request.json`
        : `curl -X POST ${url} \\\n  -H 'Content-Type: application/json' \\\n  -d '${json.replace(/'/g, "'\\''")}'`;
      $("#snippet-python").textContent =
        `import requests\n\n` +
        (hasMedia
          ? `import json\n\nbody = json.load(open("request.json"))\nresponse = requests.post("${url}", json=body, timeout=120)`
          : `response = requests.post(\n    "${url}",\n    json=${python(shown)},\n    timeout=120,\n)`) +
        `\nprint(response.json()["output"])`;
    }
    // The same prediction through hubdemo's Python API: inputs in order, parameters by name.
    const model = info.space && !info.model.includes("://") ? `spaces/${info.model}` : info.model;
    const args = body.data.map((v, i) =>
      typeof v === "string" && v.startsWith("data:") ? python(`${info.inputs[i].name}.file`) : python(v)
    );
    const named = Object.entries(body.parameters || {}).map(([k, v]) => `${k}=${python(v)}`);
    $("#snippet-hubdemo").textContent =
      `import hubdemo\n\ndemo = hubdemo.load(${python(model)})\n` +
      `print(demo.predict(${[...args, ...named].join(", ")}))`;
    // The same call through Gradio's own client (this server speaks its protocol).
    const gradio = $("#snippet-gradio");
    if (gradio) {
      const files = body.data.map((v, i) =>
        typeof v === "string" && v.startsWith("data:") ? `handle_file(${python(`${info.inputs[i].name}.file`)})` : python(v)
      );
      gradio.textContent =
        `from gradio_client import Client, handle_file\n\nclient = Client(${python(location.origin)})\n` +
        `print(client.predict(${[...files, ...named, 'api_name="/predict"'].join(", ")}))`;
    }
    const link = $("#request-download");
    if (link.href) URL.revokeObjectURL(link.href);
    link.href = URL.createObjectURL(new Blob([JSON.stringify(body)], { type: "application/json" }));
    link.hidden = false;
  }
  updateSnippets({ data: info.inputs.map(() => "") });

  // ---- a local model still loading -------------------------------------------------------

  async function watchModel() {
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
  watchModel();
})();
