// "Use via API": the request the page just sent, as curl, Python (requests), hubdemo's Python
// API and gradio_client would send it.
import { $ } from "./dom.js";
import { python, queryOf, queryValues, requestOf } from "./format.js";
import { fileBody, info } from "./page.js";

const isFile = (v) => typeof v === "string" && v.startsWith("data:");
// A file (or a list of files) as the snippets name it: the start of its data URL.
const shorten = (v) => (Array.isArray(v) ? v.map(shorten) : isFile(v) ? v.slice(0, 40) + "…" : v);

export function updateSnippets(body) {
  const shown = { data: body.data.map(shorten) };
  if (body.parameters) shown.parameters = body.parameters;
  const url = `${location.origin}/api/predict`;
  const json = JSON.stringify(shown);
  const hasMedia = body.data.some((v) => isFile(v) || (Array.isArray(v) && v.some(isFile)));
  const request = requestOf(body, fileBody);
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
    Array.isArray(v) && v.some(isFile)
      ? `[${v.map((_, j) => python(`${info.inputs[i].name}-${j + 1}.file`)).join(", ")}]`
      : isFile(v)
        ? python(`${info.inputs[i].name}.file`)
        : python(v)
  );
  const named = Object.entries(body.parameters || {}).map(([k, v]) => `${k}=${python(v)}`);
  $("#snippet-hubdemo").textContent =
    `import hubdemo\n\ndemo = hubdemo.load(${python(model)})\n` +
    `print(demo.predict(${[...args, ...named].join(", ")}))`;
  // The same call through Gradio's own client (this server speaks its protocol).
  const gradio = $("#snippet-gradio");
  if (gradio) {
    const handled = (i, j) => `handle_file(${python(`${info.inputs[i].name}${j ? `-${j}` : ""}.file`)})`;
    const files = body.data.map((v, i) =>
      Array.isArray(v) && v.some(isFile) ? `[${v.map((_, j) => handled(i, j + 1)).join(", ")}]` : isFile(v) ? handled(i, 0) : python(v)
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
