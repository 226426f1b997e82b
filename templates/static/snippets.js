// "Use via API": the request the page just sent (before any run, the first example's), as
// curl, Python (requests), hubdemo's Python API and gradio_client would send it, each with a
// Copy button; a file is named alike in all of them (image.jpeg, audio.flac …).
import { $, $$ } from "./dom.js";
import { python, queryOf, queryValues, requestOf } from "./format.js";
import { apiPath, compareMode, fileBody, info } from "./page.js";
import { copyButton } from "./renderers.js";

const isFile = (v) => typeof v === "string" && v.startsWith("data:");
// A file (or a list of files) as the snippets name it: the start of its data URL.
const shorten = (v) => (Array.isArray(v) ? v.map(shorten) : isFile(v) ? v.slice(0, 40) + "…" : v);
// The name a snippet gives input `i`'s file (its `j`-th of several): the input's name and
// the file's own type, "image.jpeg".
const extension = (v) => (((v.match(/^data:[^/;,]+\/([^;,]+)/) || [])[1] || "bin").replace(/^x-/, ""));
const fileName = (i, v, j = 0) => `${info.inputs[i].name}${j ? `-${j}` : ""}.${extension(v)}`;

// The first example's request (the snippets work as shown before any run), else empty inputs.
export function firstRequest() {
  const example = info.examples && info.examples[0];
  if (!example || info.inputs.length !== example.data.length) return { data: info.inputs.map(() => "") };
  return example.parameters ? { data: example.data, parameters: example.parameters } : { data: example.data };
}

// A Copy button beside each snippet (once).
export function wireSnippets() {
  $$("#api-panel pre").forEach((pre) => pre.before(copyButton(() => pre.textContent)));
}

export function updateSnippets(body) {
  const shown = { data: body.data.map(shorten) };
  if (body.parameters) shown.parameters = body.parameters;
  const url = `${location.origin}${apiPath}`;
  const answer = compareMode ? `response.json()["results"]` : `response.json()["output"]`;
  const json = JSON.stringify(shown);
  const hasMedia = body.data.some((v) => isFile(v) || (Array.isArray(v) && v.some(isFile)));
  const request = requestOf(body, fileBody, apiPath);
  if (request.type !== "application/json") {
    // The file itself as the body, as the page sends it.
    const file = fileName(0, body.data[0]);
    const target = `${url}${queryOf(body.parameters || {})}`;
    $("#snippet-curl").textContent =
      `curl -X POST '${target.replace(/'/g, "'\\''")}' \\\n  -H 'Content-Type: ${request.type}' \\\n  --data-binary @${file}`;
    $("#snippet-python").textContent =
      `import requests\n\nresponse = requests.post(\n    "${url}",\n` +
      (body.parameters ? `    params=${python(queryValues(body.parameters))},\n` : "") +
      `    data=open(${python(file)}, "rb"),\n    headers={"Content-Type": ${python(request.type)}},\n    timeout=120,\n)` +
      `\nprint(${answer})`;
  } else {
    $("#snippet-curl").textContent = hasMedia
      ? `curl -X POST ${url} \\\n  -H 'Content-Type: application/json' \\\n  -d @request.json`
      : `curl -X POST ${url} \\\n  -H 'Content-Type: application/json' \\\n  -d '${json.replace(/'/g, "'\\''")}'`;
    $("#snippet-python").textContent =
      `import requests\n\n` +
      (hasMedia
        ? `import json\n\nbody = json.load(open("request.json"))\nresponse = requests.post("${url}", json=body, timeout=120)`
        : `response = requests.post(\n    "${url}",\n    json=${python(shown)},\n    timeout=120,\n)`) +
      `\nprint(${answer})`;
  }
  // The same prediction through hubdemo's Python API: inputs in order, parameters by name.
  const model = info.space && !info.model.includes("://") ? `spaces/${info.model}` : info.model;
  const args = body.data.map((v, i) =>
    Array.isArray(v) && v.some(isFile)
      ? `[${v.map((f, j) => python(fileName(i, f, j + 1))).join(", ")}]`
      : isFile(v)
        ? python(fileName(i, v))
        : python(v)
  );
  const named = Object.entries(body.parameters || {}).map(([k, v]) => `${k}=${python(v)}`);
  const hubdemoSnippet = $("#snippet-hubdemo");
  if (hubdemoSnippet) hubdemoSnippet.textContent =
    `import hubdemo\n\ndemo = hubdemo.load(${python(model)})\n` +
    `print(demo.predict(${[...args, ...named].join(", ")}))`;
  // The same call through Gradio's own client (this server speaks its protocol).
  const gradio = $("#snippet-gradio");
  if (gradio) {
    const handled = (i, f, j) => `handle_file(${python(fileName(i, f, j))})`;
    const files = body.data.map((v, i) =>
      Array.isArray(v) && v.some(isFile) ? `[${v.map((f, j) => handled(i, f, j + 1)).join(", ")}]` : isFile(v) ? handled(i, v, 0) : python(v)
    );
    // A compare demo: an endpoint per model, named after it (the first shown, the others said).
    const names = compareMode ? info.compare.map((c) => c.gradio_api_name) : ["/predict"];
    const others = names.length > 1 ? `# one endpoint per model: ${names.join(", ")}\n` : "";
    gradio.textContent =
      `from gradio_client import Client, handle_file\n\nclient = Client(${python(location.origin)})\n` + others +
      `print(client.predict(${[...files, ...named, `api_name=${python(names[0])}`].join(", ")}))`;
  }
  const link = $("#request-download");
  if (link.href) URL.revokeObjectURL(link.href);
  link.href = URL.createObjectURL(new Blob([JSON.stringify(body)], { type: "application/json" }));
  link.hidden = false;
}
