import { showError } from "./page.js";

// Errors in the visitor's words. The server's message is written for whoever runs the demo
// (what to configure: a token, a provider, a flag) and is in the server's log; the page says
// what a visitor can do, and keeps the server's words under "Details" for them to pass on.
// Errors about the input (400, 408, 413, 415, 422) are the visitor's to fix: shown as they are.

const ASK_THE_OWNER = "Let whoever runs this demo know.";
const LATER = "Try again in a minute.";
const FOR_VISITOR = {
  GatedModel: ["This demo is not allowed to use the model yet (it is gated).", ASK_THE_OWNER],
  UpstreamAuthError: ["This demo's server is not allowed to use the model (its token is missing or refused).", ASK_THE_OWNER],
  UpstreamPaymentRequired: ["This demo has used up its inference credits.", ASK_THE_OWNER],
  NoProviderError: ["No inference service runs this model at the moment.", ASK_THE_OWNER],
  ModelNotFound: ["The model this demo serves cannot be found.", ASK_THE_OWNER],
  UpstreamNotFound: ["The inference service does not know this model.", ASK_THE_OWNER],
  HubUnreachable: ["The demo cannot reach Hugging Face right now.", LATER],
  UpstreamUnreachable: ["The demo cannot reach the model right now.", LATER],
  UpstreamRefused: ["The demo cannot reach the model right now.", LATER],
  SpaceUnavailable: ["The Space behind this demo is not running right now.", LATER],
  StateUnavailable: ["The demo's server cannot keep your session right now.", LATER],
  UpstreamTimeout: ["The model took too long to answer.", "Try a shorter input, or try again."],
  UpstreamBadResponse: ["The model answered something this demo cannot show.", "Try another input."],
  LocalModelError: ["The model failed on this input.", "Try another input."],
};
const INPUT_STATUSES = new Set([400, 408, 413, 415, 422]);

// {text, details}: what to show, and the server's own words when they are not the same.
export function forVisitor(payload, status) {
  const said = (payload && payload.error) || `The server answered ${status}.`;
  const known = payload && FOR_VISITOR[payload.type];
  if (!known || INPUT_STATUSES.has(status)) return { text: said, details: "" };
  return { text: `${known[0]} ${known[1]}`, details: said };
}

// What each empty input needs, said before anything is sent (the server would answer 400 in
// its own API's words).
const ASK = {
  image: "Add a picture first: choose a file, drop one on its box, or paste one.",
  audio: "Add a sound first: choose a file, drop one on its box, or record one.",
  video: "Add a video first: choose a file, or drop one on its box.",
  file: "Add a file first: choose one, or drop one on its box.",
  table: "Fill in the table first.",
};

export function missingInput(components, values) {
  for (const [index, component] of components.entries()) {
    if (component.optional) continue;
    const value = values[index];
    const empty = value === "" || value == null || (Array.isArray(value) && value.length === 0);
    if (!empty) continue;
    return ASK[component.kind] || `Type the ${component.label.toLowerCase()} first.`;
  }
  return null;
}

// A parameter out of the spec's bounds: said, its control opened and focused; true when so.
export function refusedParameter() {
  const problem = parameterProblem(document.querySelectorAll("[data-param]"));
  if (!problem) return false;
  document.getElementById("parameters").open = true;
  problem.control.focus();
  showError(problem.text);
  return true;
}

// A parameter typed outside what the spec allows, said before anything is sent (the server
// checks again): {control, text}, or null when every one is fine.
export function parameterProblem(controls) {
  for (const control of controls) {
    const raw = control.value.trim();
    const kind = control.dataset.kind;
    if (raw === "" || (kind !== "integer" && kind !== "number")) continue;
    const name = control.dataset.param;
    const value = Number(raw);
    if (!Number.isFinite(value)) return { control, text: `${name} takes a number (got "${raw}").` };
    if (kind === "integer" && !Number.isInteger(value)) return { control, text: `${name} takes a whole number (got ${raw}).` };
    if (control.min !== "" && value < Number(control.min)) return { control, text: `${name} is at least ${control.min} (got ${raw}).` };
    if (control.max !== "" && value > Number(control.max)) return { control, text: `${name} is at most ${control.max} (got ${raw}).` };
  }
  return null;
}
