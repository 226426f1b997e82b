// A chat reply's Markdown, drawn as the server draws a Space's (spaces/markup.py): markdown-it
// (templates/static/vendor: the original of the server's markdown-it-py), CommonMark with
// tables and strikethrough, raw HTML off — a tag in a reply is shown as text — and its link
// check on (no javascript: or data: links); links open apart, with rel="noopener noreferrer".
// The renderer is fetched by the pages that draw a conversation, on first use; until it is
// there the text is shown as is.
let markdown = null;
let loading = null;

export function loadMarkdown() {
  loading ||= import("./vendor/markdown-it.js")
    .then(({ default: markdownit }) => {
      const md = markdownit("commonmark", { html: false }).enable(["table", "strikethrough"]);
      const shown = md.renderer.rules.link_open || ((t, i, o, env, self) => self.renderToken(t, i, o));
      md.renderer.rules.link_open = (tokens, i, options, env, self) => {
        tokens[i].attrSet("target", "_blank");
        tokens[i].attrSet("rel", "noopener noreferrer");
        return shown(tokens, i, options, env, self);
      };
      markdown = md;
    })
    .catch(() => {});
  return loading;
}

export const markdownLoaded = () => markdown !== null;

// `text` into `node`: as Markdown once the renderer is there, else as text.
export function showMarkdown(node, text) {
  if (!markdown) {
    node.textContent = text;
    return false;
  }
  node.innerHTML = markdown.render(text).trimEnd(); // no newline after the last block
  node.classList.add("markdown");
  return true;
}
