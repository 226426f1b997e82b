"""A stand-in Space for the output kinds drawn from files and lists: a Gallery, an
AnnotatedImage, a File in and out, and a Chatbot outside a ChatInterface."""

import gradio as gr
import numpy as np
from PIL import ImageOps


def tints(image, count):
    """The picture, then its copies in grey and mirrored: `count` of them, captioned."""
    made = [
        (image, "original"),
        (ImageOps.grayscale(image).convert("RGB"), "grey"),
        (ImageOps.mirror(image), "mirrored"),
    ]
    return made[: int(count)]


def regions(image):
    """Two labelled regions: a box over the left half, and a mask of the right half."""
    width, height = image.size
    right = np.zeros((height, width))
    right[:, width // 2 :] = 1.0
    return image, [((0, 0, width // 2, height), "left"), (right, "right")]


def upper_file(path):
    """A text file, in capitals, as a new file; no file for one of blanks only."""
    with open(path, encoding="utf-8") as given:
        text = given.read()
    if not text.strip():
        return None
    out = path + ".upper.txt"
    with open(out, "w", encoding="utf-8") as made:
        made.write(text.upper())
    return out


def elsewhere(url):
    """A value shaped like a file (path and url) whose URL is the text given."""
    return {"path": "elsewhere.txt", "url": url}


def reply(message):
    """The message and its word count: as messages (Gradio 6), or as a [user, bot] pair in
    the "tuples" form a Gradio 5 Chatbot takes by default."""
    answer = f"You said {len(message.split())} word(s)."
    if gr.__version__.startswith("5."):
        return [[message, answer]]
    return [{"role": "user", "content": message}, {"role": "assistant", "content": answer}]


with gr.Blocks() as demo:
    picture = gr.Image(type="pil", label="Picture")
    count = gr.Slider(1, 3, value=3, step=1, label="Copies")
    gallery = gr.Gallery(label="Copies")
    annotated = gr.AnnotatedImage(label="Regions")
    given = gr.File(label="Text file")
    made = gr.File(label="Capitals")
    message = gr.Textbox(label="Message")
    chat = gr.Chatbot(label="Conversation")
    gr.Button("Copies").click(tints, [picture, count], gallery, api_name="gallery")
    gr.Button("Regions").click(regions, picture, annotated, api_name="regions")
    gr.Button("Capitals").click(upper_file, given, made, api_name="capitals")
    gr.Button("Reply").click(reply, message, chat, api_name="reply")
    gr.Examples([["greeting.txt"]], [given])
    address = gr.Textbox(label="Address")
    shaped = gr.JSON(label="Shaped like a file")
    gr.Button("Elsewhere").click(elsewhere, address, shaped, api_name="elsewhere")
