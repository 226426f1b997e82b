"""A stand-in Space: an Interface with cache_examples=True (Gradio runs its examples once, at
start, and answers them from its cache). Each answer says which run made it, so a test can
tell a cached answer (runs 1 and 2, at start) from a new run."""

import itertools

import gradio as gr

RUNS = itertools.count(1)


def loud(text, times):
    return f"{' '.join([text.upper()] * int(times))} (run {next(RUNS)})"


demo = gr.Interface(
    loud,
    [gr.Textbox(label="Text"), gr.Slider(1, 5, value=2, step=1, label="Times")],
    gr.Textbox(label="Loud"),
    examples=[["hello", 2], ["cached answer", 3]],
    cache_examples=True,
    api_name="predict",
)
