"""A stand-in Space whose queue holds one waiting job: a third caller finds it full."""

import time

import gradio as gr

QUEUE = {"max_size": 1, "default_concurrency_limit": 1}


def slow(text):
    time.sleep(3)
    return text[::-1]


with gr.Blocks() as demo:
    text = gr.Textbox(label="Text")
    out = gr.Textbox(label="Reversed")
    gr.Button("Go").click(slow, text, out, api_name="predict")
