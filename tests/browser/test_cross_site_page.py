"""Another site's page in a real browser cannot drive the demo."""

from __future__ import annotations

MODEL = "distilbert-base-uncased-finetuned-sst-2-english"


def test_another_sites_page_cannot_post_to_the_demo(browser, servers, emulator) -> None:
    """A page on another origin (the emulator's) tries what a hostile site would: a no-cors
    text/plain POST, a multipart form post, and a JSON fetch. None reaches the model."""
    demo = servers[MODEL].url
    page = browser.new_page()
    page.goto(f"{emulator.url}/some/hostile/page")
    before = emulator.inference_count
    statuses = page.evaluate(
        """async (demo) => {
          const body = JSON.stringify({data: ["I like you. I love you."]});
          const form = new FormData(); form.append("data", body);
          const out = [];
          await fetch(demo + "/api/predict", {method: "POST", mode: "no-cors", body,
            headers: {"Content-Type": "text/plain"}});
          await fetch(demo + "/api/predict", {method: "POST", mode: "no-cors", body: form});
          try {
            const r = await fetch(demo + "/api/predict", {method: "POST", body,
              headers: {"Content-Type": "application/json"}});
            out.push(r.status);
          } catch (e) { out.push("blocked: " + e.name); }
          return out;
        }""",
        demo,
    )
    assert statuses == ["blocked: TypeError"]  # no CORS: the browser refuses the preflight
    assert emulator.inference_count == before
