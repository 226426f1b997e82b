"""A stand-in Space whose endpoints answer several outputs drawn alike: /report an HTML card, a
Textbox and a Markdown note; /pair two pictures; /hostile an HTML and a Markdown answer that try
every trick a page must not run; /sizes several files (gr.File(file_count="multiple")). Its
text box starts with a default ("fox")."""

import gradio as gr
from PIL import ImageOps

HOSTILE_HTML = (
    '<p id="card">Hello <b>bold</b></p>'
    "<img src=x onerror=\"document.title='pwned-img'\">"
    "<script>document.title='pwned-script'</script>"
    "<a href=\"javascript:document.title='pwned-link'\">js link</a>"
    '<a href="https://example.org/page" target="_blank">a site</a>'
    '<iframe src="https://example.org"></iframe>'
    '<b onclick="document.title=\'pwned-click\'" style="position:fixed">click me</b>'
)
HOSTILE_MARKDOWN = (
    "# Title\n\n**strong** and `code` [a site](https://example.org/md) "
    "[js](javascript:alert(1)) <script>document.title='pwned-md'</script>\n\n"
    "<img src=x onerror=\"document.title='pwned-md-img'\">\n"
)


def report(text):
    card = f"<h4>Card</h4><p>{text} in <em>HTML</em></p>"
    return card, text.upper(), f"## Notes\n\n- **{text}**\n- `{len(text)}` letters"


def pair(picture):
    return picture, ImageOps.grayscale(picture)


def hostile(text):
    return HOSTILE_HTML, HOSTILE_MARKDOWN


with gr.Blocks() as demo:
    text = gr.Textbox(label="Text", value="fox", placeholder="A word")
    card = gr.HTML(label="Card")
    upper = gr.Textbox(label="Upper")
    notes = gr.Markdown(label="Notes")
    gr.Button("Report").click(report, text, [card, upper, notes], api_name="report")
    picture = gr.Image(type="pil", label="Picture")
    original = gr.Image(label="Original")
    grey = gr.Image(label="Grey")
    gr.Button("Pair").click(pair, picture, [original, grey], api_name="pair")
    html = gr.HTML(label="HTML answer")
    markdown = gr.Markdown(label="Markdown answer")
    gr.Button("Hostile").click(hostile, text, [html, markdown], api_name="hostile")


def sizes(files):
    """Each file given, by name and size (a File with file_count="multiple" gives a list)."""
    import os

    return "\n".join(f"{os.path.basename(f)}: {os.path.getsize(f)} bytes" for f in files)


with demo:
    files = gr.File(file_count="multiple", label="Files")
    listed = gr.Textbox(label="Sizes")
    gr.Button("Sizes").click(sizes, files, listed, api_name="sizes")
