// Runs @gradio/client, Gradio's official JavaScript client, against a hubdemo server.
// Usage: node gradio_client.mjs <server URL> '<JSON list of calls>'
// A call is {"endpoint": "/predict", "data": [...], "files": [indexes of data that are file
// paths]} or {"view_api": true}. Prints one JSON list: each call's data (or its API
// description), or {"error": message}.
import { readFile } from "node:fs/promises";
import { Client, handle_file } from "@gradio/client";

const [url, callsJson] = process.argv.slice(2);
const app = await Client.connect(url);

async function call({ endpoint, data, files = [], view_api }) {
  if (view_api) return await app.view_api();
  const values = await Promise.all(
    data.map(async (value, i) => (files.includes(i) ? handle_file(new Blob([await readFile(value)])) : value))
  );
  const result = await app.predict(endpoint, values);
  return result.data;
}

const results = [];
for (const entry of JSON.parse(callsJson)) {
  try {
    results.push(await call(entry));
  } catch (error) {
    results.push({ error: String(error?.message ?? error?.title ?? JSON.stringify(error)) });
  }
}
console.log(JSON.stringify(results));
process.exit(0); // the client keeps its event stream open otherwise
