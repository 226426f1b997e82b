// Pure helpers (no page, no DOM): numbers, thinking, query strings, Python literals, request
// bodies. Unit-tested by Node (tests/js/format.test.mjs).

// A share as a percentage: two decimals near 0 and 100 %, one elsewhere.
// A score as a percentage, one decimal on every page: 87.8%; never "100.0%" for less than
// certain, nor "0.0%" for more than nothing.
export const pct = (score) => {
  const shown = (score * 100).toFixed(1);
  if (shown === "100.0" && score < 1) return ">99.9%";
  if (shown === "0.0" && score > 0) return "<0.1%";
  return `${shown}%`;
};

// A reasoning model's thinking, in <think>…</think> at the start of its text, apart from its
// answer (the answer keeps the rest of the text).
export function splitThinking(text) {
  const start = text.search(/\S/);
  if (start < 0 || !text.startsWith("<think>", start)) return { thinking: "", answer: withoutEndToken(text) };
  const body = text.slice(start + "<think>".length);
  const end = body.indexOf("</think>");
  if (end < 0) return { thinking: body.trim(), answer: "" };
  return { thinking: body.slice(0, end).trim(), answer: withoutEndToken(body.slice(end + "</think>".length).replace(/^\s+/, "")) };
}

// The end-of-turn token some models leave at the end of a reply ("…is 2.</s>"): a marker for
// the model, not words for the visitor (the JSON keeps the text as the model sent it).
const END_TOKEN = /\s*(<\/s>|<\|im_end\|>|<\|eot_id\|>|<\|endoftext\|>|<\|end\|>|<end_of_turn>|<eos>)\s*$/;
export function withoutEndToken(text) {
  return text.replace(END_TOKEN, "");
}

// The server reads a query value as JSON when it is JSON, else as text: a text that would
// read as JSON ("3", "true") is quoted, any other is sent as it is.
export function queryValue(value) {
  if (typeof value !== "string") return JSON.stringify(value);
  try {
    JSON.parse(value);
    return JSON.stringify(value);
  } catch (_) {
    return value;
  }
}

export function queryValues(chosen) {
  return Object.fromEntries(Object.entries(chosen).map(([k, v]) => [k, queryValue(v)]));
}

export function queryOf(chosen) {
  const query = new URLSearchParams(queryValues(chosen));
  return query.toString() ? `?${query}` : "";
}

// A JSON value written as a Python literal (True/False/None; strings as JSON writes them,
// which Python reads the same).
export function python(value) {
  if (value === null) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (Array.isArray(value)) return `[${value.map(python).join(", ")}]`;
  if (typeof value === "object") {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${python(v)}`).join(", ")}}`;
  }
  return JSON.stringify(value);
}

export function blobOf(dataUrl) {
  const comma = dataUrl.indexOf(",");
  const type = dataUrl.slice(5, comma).split(";")[0];
  const text = atob(dataUrl.slice(comma + 1));
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return new Blob([bytes], { type });
}

// What /api/predict is sent for `body`. A Hub task whose one input is a file (`fileBody`) takes
// the file itself as the body (parameters in the query string, each as JSON): no base64 on the
// way, a third of the bytes fewer.
export function requestOf(body, fileBody, path = "/api/predict") {
  const file = body.data[0];
  if (fileBody && typeof file === "string" && file.startsWith("data:")) {
    const blob = blobOf(file);
    return { url: `${path}${queryOf(body.parameters || {})}`, type: blob.type, content: blob };
  }
  return { url: path, type: "application/json", content: JSON.stringify(body) };
}

// The size in bytes of what a base64 data URL holds (its padding is no data).
export function dataUrlBytes(dataUrl) {
  const text = dataUrl.slice(dataUrl.indexOf(",") + 1);
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  return Math.floor((text.length * 3) / 4) - padding;
}

// One colour per label, in the order labels are first seen.
export const PALETTE = ["#2563eb", "#db2777", "#059669", "#d97706", "#7c3aed", "#0891b2", "#dc2626"];
export function palette() {
  const seen = {};
  return (label) => (seen[label] = seen[label] || PALETTE[Object.keys(seen).length % PALETTE.length]);
}
export const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

// The text colour readable on `hex`: black or white, whichever contrasts more (WCAG's relative
// luminance).
export function readableOn(hex) {
  const [r, g, b] = rgb(hex).map((c) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) ? "#111827" : "#ffffff";
}

// The k-th instance of a label in the label's colour family: the colour itself, then lighter
// and darker by turns, so six cats are six shades of one colour, not one wash.
export function shade(hex, k) {
  if (!k) return hex;
  const amount = 0.22 * (((Math.ceil(k / 2) - 1) % 3) + 1); // 22, 44, 66 % of the way
  const toward = k % 2 ? 255 : 0; // lighter, then darker
  const mixed = rgb(hex).map((c) => Math.round(c + (toward - c) * amount));
  return `#${mixed.map((c) => c.toString(16).padStart(2, "0")).join("")}`;
}

// A data URL's bytes, read here (the page may not fetch data: URLs: connect-src 'self').
export function bytesOf(dataUrl) {
  const comma = dataUrl.indexOf(",");
  const body = dataUrl.slice(comma + 1);
  return dataUrl.slice(0, comma).endsWith(";base64")
    ? Uint8Array.from(atob(body), (c) => c.charCodeAt(0))
    : new TextEncoder().encode(decodeURIComponent(body));
}
