"""A stand-in Space whose /predict returns a 3D model (hubdemo cannot draw one) and whose
/echo it can."""

import gradio as gr

with gr.Blocks() as demo:
    text = gr.Textbox(label="Text")
    model = gr.Model3D(label="Shape")
    echoed = gr.Textbox(label="Echo")
    gr.Button("Shape").click(lambda t: None, text, model, api_name="predict")
    gr.Button("Echo").click(lambda t: t, text, echoed, api_name="echo")
