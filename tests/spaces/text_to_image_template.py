"""A stand-in Space in the shape of the Hub's text-to-image template (and most FLUX/SDXL
Spaces): a prompt, then seed, randomize, width and height in an accordion; the picture and the
seed used (the same Slider, as an output) out. The picture's colour is the seed's, so a test
knows it in advance."""

import random

import gradio as gr
from PIL import Image

MAX_SEED = 2**31 - 1


def colour_of(seed):
    return (seed % 256, (seed // 256) % 256, 128)


def infer(prompt, seed, randomize_seed, width, height, progress=gr.Progress(track_tqdm=True)):
    if not prompt.strip():
        raise gr.Error("Please enter a prompt.")
    if randomize_seed:
        seed = random.randint(0, MAX_SEED)
    return Image.new("RGB", (int(width), int(height)), colour_of(int(seed))), seed


with gr.Blocks() as demo:
    prompt = gr.Text(label="Prompt", placeholder="Enter your prompt")
    result = gr.Image(label="Result", show_label=False)
    with gr.Accordion("Advanced Settings", open=False):
        seed = gr.Slider(label="Seed", minimum=0, maximum=MAX_SEED, step=1, value=0)
        randomize_seed = gr.Checkbox(label="Randomize seed", value=True)
        width = gr.Slider(label="Width", minimum=32, maximum=256, step=32, value=64)
        height = gr.Slider(label="Height", minimum=32, maximum=256, step=32, value=32)
    gr.Button("Run").click(
        infer, [prompt, seed, randomize_seed, width, height], [result, seed], api_name="infer"
    )
