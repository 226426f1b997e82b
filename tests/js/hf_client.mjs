// Runs @huggingface/inference, the official JavaScript client, against a hubdemo endpoint.
// Usage: node hf_client.mjs <endpoint URL> '<JSON list of {"op": ..., "args": {...}}>'
// Prints one JSON list: each call's result, or {"error": message, "status": HTTP status}.
import { InferenceClient } from "@huggingface/inference";

const [endpointUrl, callsJson] = process.argv.slice(2);
const client = new InferenceClient();
const streamed = new Set(["chatCompletionStream", "textGenerationStream"]);

async function call({ op, args }) {
  const request = { endpointUrl, ...args };
  if (streamed.has(op)) {
    const chunks = [];
    for await (const chunk of client[op](request)) chunks.push(chunk);
    return chunks;
  }
  return await client[op](request);
}

const results = [];
for (const entry of JSON.parse(callsJson)) {
  try {
    results.push(await call(entry));
  } catch (error) {
    results.push({ error: String(error.message), status: error.httpResponse?.status ?? null });
  }
}
console.log(JSON.stringify(results));
