"""A stand-in Space: a Blocks app that keeps each visitor's notes, the two ways Spaces keep a
visitor's data: a gr.State (Gradio keeps one per browser session) and a dict filed under
``request.session_hash``. Its answer shows both, so a test sees whose data it got."""

import gradio as gr

CALLS = {}  # session hash -> calls seen in that session


def add(note, notes, request: gr.Request):
    notes = [*notes, note]
    CALLS[request.session_hash] = CALLS.get(request.session_hash, 0) + 1
    return f"{' | '.join(notes)} (call {CALLS[request.session_hash]})", notes


with gr.Blocks(title="Notes") as demo:
    notes = gr.State([])
    note = gr.Textbox(label="Note")
    shown = gr.Textbox(label="Notes")
    gr.Button("Add").click(add, [note, notes], [shown, notes], api_name="add")
