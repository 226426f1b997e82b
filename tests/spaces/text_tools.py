"""A stand-in Space: text with several inputs (Textbox + Slider + Dropdown + Checkbox) ->
Textbox, and more named endpoints: a Number, a HighlightedText and a Dataframe."""

import gradio as gr


def shout(text, times, style, exclaim):
    if text == "boom":
        raise gr.Error("no booms here: try another word")
    word = text.upper() if style == "upper" else text.lower()
    return " ".join([word] * int(times)) + ("!" if exclaim else "")


def count(text):
    return len(text.split())


def capitals(text):
    """Words in capitals, marked as NAME; the rest unmarked."""
    return [(word + " ", "NAME" if word[:1].isupper() else None) for word in text.split(" ")]


def words_table(text):
    """Each word and its number of letters."""
    return [[word, len(word)] for word in text.split()]


with gr.Blocks() as demo:
    text = gr.Textbox(label="Text")
    times = gr.Slider(1, 5, value=2, step=1, label="Times")
    style = gr.Dropdown(["upper", "lower"], value="upper", label="Style")
    exclaim = gr.Checkbox(value=False, label="Exclaim")
    out = gr.Textbox(label="Result")
    words = gr.Number(label="Words")
    marked = gr.HighlightedText(label="Names")
    gr.Button("Go").click(shout, [text, times, style, exclaim], out, api_name="predict")
    gr.Button("Count").click(count, text, words, api_name="count")
    gr.Button("Names").click(capitals, text, marked, api_name="names")
    table = gr.Dataframe(headers=["word", "letters"], label="Words table")
    gr.Button("Table").click(words_table, text, table, api_name="table")
    gr.Examples([["hello world", 3, "upper", True]], [text, times, style, exclaim])
