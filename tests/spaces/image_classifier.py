"""A stand-in Space: Image -> Label, like abidlabs/pytorch-image-classifier. Its "model" says
how much of each primary colour the picture has, so answers are known in advance. Its one
example is a red picture (written at start: an example must be a file)."""

import os
import tempfile

import gradio as gr
from PIL import Image

EXAMPLE = os.path.join(tempfile.mkdtemp(), "red.png")
Image.new("RGB", (24, 16), (200, 30, 10)).save(EXAMPLE)


def classify(image):
    pixels = image.convert("RGB").resize((16, 16)).getdata()
    totals = [sum(p[i] for p in pixels) for i in range(3)]
    whole = sum(totals) or 1
    return {name: total / whole for name, total in zip(("red", "green", "blue"), totals)}


demo = gr.Interface(
    classify,
    gr.Image(type="pil", label="Picture"),
    gr.Label(num_top_classes=3, label="Colours"),
    title="Colour classifier",
    examples=[[EXAMPLE]],
)
