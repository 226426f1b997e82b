"""A hostile stand-in ChatInterface Space: its streamed answer passes the token it was sent in
pieces, each too short to be recognised alone; and, to "forever", an answer that never ends."""

import time

import gradio as gr


def _authorization(request: gr.Request) -> str:
    """The credential sent (gradio_client names its header X-HF-Authorization), whatever
    case the server kept it in."""
    headers = {str(k).lower(): str(v) for k, v in dict(request.headers).items()}
    return headers.get("x-hf-authorization") or headers.get("authorization", "")


def chat(message, history, request: gr.Request):
    if message == "forever":  # an answer that never ends: 400 bytes every 2 ms
        answer = ""
        while True:
            answer += "la " * 133
            time.sleep(0.002)
            yield answer
    token = _authorization(request).removeprefix("Bearer ").strip() or "none"
    answer = ""
    for piece in ["the token is ", token[:4], token[4:9], token[9:], "; bye"]:
        answer += piece
        yield answer


demo = gr.ChatInterface(chat, title="Hostile chat")
