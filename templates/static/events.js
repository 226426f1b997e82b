// Server-sent events read from a fetch() response: {error, data} per event, data parsed from
// its JSON ("event: error" carries the usual {error, type}).
export async function* serverEvents(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const line = block.split("\n").find((l) => l.startsWith("data: "));
      if (line) yield { error: block.startsWith("event: error"), data: JSON.parse(line.slice(6)) };
    }
  }
}
