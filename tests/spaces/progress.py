"""A stand-in Space that takes its time and says how far it is: /denoise reports a gr.Progress
("denoising 3/8 steps") before its answer; /typewriter is a generator that yields its text word
by word; /frames a generator that yields pictures, darker and darker."""

import time

import gradio as gr
from PIL import Image


def denoise(prompt, steps, progress=gr.Progress()):
    for _ in progress.tqdm(range(int(steps)), desc="denoising", unit="steps"):
        time.sleep(0.25)
    return f"{prompt}, denoised in {int(steps)} steps"


def typewriter(text):
    shown = []
    for word in text.split():
        shown.append(word)
        time.sleep(0.25)
        yield " ".join(shown)


def frames(prompt, count):
    for i in range(int(count)):
        time.sleep(0.25)
        level = 255 - 60 * i
        yield Image.new("RGB", (16, 16), (level, level, level))


with gr.Blocks() as demo:
    prompt = gr.Textbox(label="Prompt")
    steps = gr.Slider(1, 20, value=8, step=1, label="Steps")
    out = gr.Textbox(label="Answer")
    gr.Button("Denoise").click(denoise, [prompt, steps], out, api_name="denoise")
    gr.Button("Type").click(typewriter, prompt, out, api_name="typewriter")
    count = gr.Slider(1, 4, value=3, step=1, label="Frames")
    picture = gr.Image(label="Frame")
    gr.Button("Frames").click(frames, [prompt, count], picture, api_name="frames")
