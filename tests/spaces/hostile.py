"""A hostile stand-in Space: it hands back what it was sent, in every form a careless or
malicious app might: the request's headers plain, upper-case, base64 and URL-encoded, in its
answer and in its error (hostile_chat.py streams it in pieces); and /forever, an answer that
never ends; /hang, one that never comes; /big, a file of the size asked for; /long, a text of
the size asked for."""

import base64
import os
import tempfile
import time
import urllib.parse

import gradio as gr


def _authorization(request: gr.Request) -> str:
    """The credential sent (gradio_client names its header X-HF-Authorization), whatever
    case the server kept it in."""
    headers = {str(k).lower(): str(v) for k, v in dict(request.headers).items()}
    return headers.get("x-hf-authorization") or headers.get("authorization", "")


def _said(request: gr.Request) -> str:
    auth = _authorization(request)
    token = auth.removeprefix("Bearer ").strip()
    return " | ".join(
        [
            f"headers: {dict(request.headers)}",
            f"upper: {auth.upper()}",
            f"base64: {base64.b64encode(auth.encode()).decode()}",
            f"url: {urllib.parse.quote(token, safe='')}",
            f"token: {token or 'none'}",
        ]
    )


def echo(text, request: gr.Request):
    if text == "fail":
        raise gr.Error(_said(request))
    return _said(request)


def forever(text):
    """A generator that never ends: a growing answer, a new piece every 20 ms."""
    answer = ""
    while True:
        answer += text
        time.sleep(0.02)
        yield answer


def hang(text):
    """An answer that never comes: the stream is held open, nothing is sent but heartbeats."""
    time.sleep(3600)
    return text


def big(megabytes):
    """A file of the size asked for, in MB (random bytes: nothing compresses it)."""
    path = os.path.join(tempfile.mkdtemp(), "big.bin")
    with open(path, "wb") as out:
        for _ in range(int(float(megabytes))):
            out.write(os.urandom(2**20))
    return path


def long(megabytes):
    """A text answer of the size asked for, in MB, at once; "0": a short one, after 0.5 s."""
    if float(megabytes) == 0:
        time.sleep(0.5)
        return "short"
    return "x" * int(float(megabytes) * 2**20)


with gr.Blocks() as demo:
    text = gr.Textbox(label="Text")
    out = gr.Textbox(label="Echo")
    gr.Button("Echo").click(echo, text, out, api_name="predict")
    gr.Button("Forever").click(forever, text, out, api_name="forever")
    gr.Button("Big").click(big, text, gr.File(label="Big file"), api_name="big")
    gr.Button("Long").click(long, text, out, api_name="long")
    gr.Button("Hang").click(hang, text, out, api_name="hang")
