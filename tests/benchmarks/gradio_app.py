"""Gradio's `gr.load("models/<id>")`, pointed at the emulator: run in .venv-gradio by bench_proxy.

    HF_ENDPOINT=http://127.0.0.1:P ROUTER=http://127.0.0.1:P python gradio_app.py MODEL PORT

huggingface_hub's router address is a constant: it must be replaced before gradio is imported.
"""

import os
import sys

import huggingface_hub.constants

huggingface_hub.constants.INFERENCE_PROXY_TEMPLATE = os.environ["ROUTER"] + "/{provider}"

import gradio as gr  # noqa: E402

demo = gr.load(f"models/{sys.argv[1]}")
demo.launch(server_name="127.0.0.1", server_port=int(sys.argv[2]), show_error=True)
