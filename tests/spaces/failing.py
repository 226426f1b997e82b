"""A stand-in Space that fails the ways Spaces do, launched as most are, without show_error:
/refuse a gr.Error with a title; /quota ZeroGPU's quota error (HTML, a link, when to retry);
/crash a bug it keeps to itself; /warn an answer with two gr.Warnings; /count and /clear,
endpoints that take no input."""

import gradio as gr

SHOW_ERROR = False
# ZeroGPU's words, link included: text of the error, which nothing fetches.
QUOTA = (
    "You have exceeded your GPU quota (60s requested vs. 45s left). "
    '<a style="white-space: nowrap" href="https://huggingface.co/settings/billing">Upgrade to '
    "PRO</a> to get 5x more usage quota. Try again in 0:01:30"
)


def refuse(text):
    raise gr.Error(f"{text!r} is not allowed here.", title="Bad word")


def quota(text):
    raise gr.Error(QUOTA, title="ZeroGPU quota exceeded")


def crash(text):
    return str(1 / 0)


def warn(text):
    gr.Warning("The text is long: only its first 3 words are used.")
    gr.Warning("Running on <b>CPU</b>: slower than usual.")
    return " ".join(text.split()[:3])


CLICKS = [0]


def count():
    CLICKS[0] += 1
    return CLICKS[0]


def clear():
    CLICKS[0] = 0


with gr.Blocks() as demo:
    text = gr.Textbox(label="Text")
    out = gr.Textbox(label="Answer")
    number = gr.Number(label="Clicks")
    gr.Button("Refuse").click(refuse, text, out, api_name="refuse")
    gr.Button("Quota").click(quota, text, out, api_name="quota")
    gr.Button("Crash").click(crash, text, out, api_name="crash")
    gr.Button("Warn").click(warn, text, out, api_name="warn")
    gr.Button("Count").click(count, None, number, api_name="count")
    gr.Button("Clear").click(clear, None, None, api_name="clear")
