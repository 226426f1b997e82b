"""A stand-in Space: ChatInterface(multimodal=True), whose message box (a MultimodalTextbox)
takes text and pictures; the answer names the pictures' sizes and the turn, so a test knows
what reached it."""

import gradio as gr
from PIL import Image


def has_text(content):
    """Whether a user turn holds text (Gradio 5 keeps a picture as a turn of its own)."""
    if isinstance(content, str):
        return True
    if isinstance(content, list):  # Gradio 6: [{"path": picture}, "text"] or text parts
        return any(
            isinstance(p, str) or (isinstance(p, dict) and p.get("type") == "text") for p in content
        )
    return False


def respond(message, history):
    files = [f if isinstance(f, str) else f["path"] for f in message.get("files") or []]
    sizes = [Image.open(f).size for f in files]
    turn = sum(1 for m in history if m["role"] == "user" and has_text(m["content"])) + 1
    return f"You said: {message['text']} with {len(files)} picture(s) {sizes} (turn {turn})"


MESSAGES = {} if gr.__version__.startswith("6") else {"type": "messages"}  # Gradio 6: only
demo = gr.ChatInterface(respond, multimodal=True, title="Picture chat", **MESSAGES)
