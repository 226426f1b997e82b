// The page's pure helpers (templates/static/format.js), run by Node's own test runner:
// node --test tests/js/  (tests/test_page_js.py runs it in the suite).
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  dataUrlBytes,
  palette,
  pct,
  python,
  readableOn,
  queryOf,
  queryValue,
  requestOf,
  rgb,
  shade,
  bytesOf,
  splitThinking,
  withoutEndToken,
} from "../../templates/static/format.js";

test("pct: one decimal everywhere; never certainty or nothing by rounding", () => {
  assert.equal(pct(0.5), "50.0%");
  assert.equal(pct(0.123), "12.3%");
  assert.equal(pct(0.996), "99.6%");
  assert.equal(pct(0.9996), ">99.9%");
  assert.equal(pct(1), "100.0%");
  assert.equal(pct(0.0004), "<0.1%");
  assert.equal(pct(0), "0.0%");
});

test("shade: the first instance keeps its label's colour, the next lighter, then darker", () => {
  assert.equal(shade("#2563eb", 0), "#2563eb");
  const [lighter, darker] = [shade("#2563eb", 1), shade("#2563eb", 2)];
  const sum = (hex) => rgb(hex).reduce((a, b) => a + b, 0);
  assert.ok(sum(lighter) > sum("#2563eb") && sum(darker) < sum("#2563eb"));
  assert.notEqual(shade("#2563eb", 3), lighter);
});

test("readableOn: black on light colours, white on dark ones", () => {
  assert.equal(readableOn("#ffffff"), "#111827");
  assert.equal(readableOn("#1e3a8a"), "#ffffff");
});

test("splitThinking: a <think> block apart from the answer", () => {
  assert.deepEqual(splitThinking("  <think>hmm\n</think>\n\nParis"), { thinking: "hmm", answer: "Paris" });
  assert.deepEqual(splitThinking("<think>still going"), { thinking: "still going", answer: "" });
  assert.deepEqual(splitThinking("Paris <think>no</think>"), { thinking: "", answer: "Paris <think>no</think>" });
});

test("withoutEndToken: the model's end-of-turn marker at the very end is not shown", () => {
  assert.equal(withoutEndToken("The answer is 2.</s>"), "The answer is 2.");
  assert.equal(withoutEndToken("Done <|im_end|>\n"), "Done");
  assert.equal(withoutEndToken("Bye<|eot_id|>"), "Bye");
  assert.equal(withoutEndToken("Write </s> in HTML for strike-through."), "Write </s> in HTML for strike-through.");
  assert.deepEqual(splitThinking("<think>x</think>Paris</s>"), { thinking: "x", answer: "Paris" });
  assert.equal(splitThinking("Paris</s>").answer, "Paris");
});

test("bytesOf: a data URL's bytes, base64 or percent-encoded", () => {
  assert.deepEqual([...bytesOf("data:audio/wav;base64,UklGRg==")], [82, 73, 70, 70]);
  assert.deepEqual([...bytesOf("data:text/plain,a%20b")], [97, 32, 98]);
  assert.deepEqual([...bytesOf("data:application/octet-stream;name=x.bin;base64,AAE=")], [0, 1]);
});

test("queryValue: text that reads as JSON is quoted, other text is not", () => {
  assert.equal(queryValue("3"), '"3"');
  assert.equal(queryValue("true"), '"true"');
  assert.equal(queryValue("hello"), "hello");
  assert.equal(queryValue(3), "3");
  assert.equal(queryValue(["a"]), '["a"]');
  assert.equal(queryOf({}), "");
  assert.equal(queryOf({ top_k: 3, label: "x y" }), "?top_k=3&label=x+y");
});

test("python: JSON values as Python literals", () => {
  assert.equal(python({ a: true, b: null, c: [1, "x"] }), '{"a": True, "b": None, "c": [1, "x"]}');
  assert.equal(python(false), "False");
  assert.equal(python("it's"), '"it\'s"');
});

test("requestOf: a one-file task sends the file itself, parameters in the query", async () => {
  const png = "data:image/png;base64," + Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).toString("base64");
  const file = requestOf({ data: [png], parameters: { top_k: 2 } }, true);
  assert.equal(file.url, "/api/predict?top_k=2");
  assert.equal(file.type, "image/png");
  assert.equal((await file.content.arrayBuffer()).byteLength, 8);
  const json = requestOf({ data: [png] }, false);
  assert.equal(json.type, "application/json");
  assert.deepEqual(JSON.parse(json.content), { data: [png] });
});

test("dataUrlBytes, palette, rgb", () => {
  assert.equal(dataUrlBytes("data:text/plain;base64,aGVsbG8="), 5);
  const colour = palette();
  assert.equal(colour("cat"), "#2563eb");
  assert.equal(colour("dog"), "#db2777");
  assert.equal(colour("cat"), "#2563eb");
  assert.deepEqual(rgb("#2563eb"), [37, 99, 235]);
});
