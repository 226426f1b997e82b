"""Gradio's own page for a Hub model, `gr.load("models/<id>")`: what hubdemo's page is compared
with (tests/browser/test_vs_gradio.py). The model is HUBDEMO_COMPARE_MODEL; the Hub is
HF_ENDPOINT (the emulator) and inference goes to HUBDEMO_COMPARE_ROUTER (the emulator) instead
of router.huggingface.co, which huggingface_hub's InferenceClient names in a constant."""

import os

from huggingface_hub import constants

# Before gradio imports huggingface_hub.inference: its providers read the template when created.
constants.INFERENCE_PROXY_TEMPLATE = os.environ["HUBDEMO_COMPARE_ROUTER"] + "/{provider}"

import gradio as gr  # noqa: E402
from huggingface_hub.inference._providers._common import (  # noqa: E402
    AutoRouterConversationalTask,
)

# gr.load's chat goes to the router's model-less /v1/chat/completions (a host written in the
# class); the emulator answers chat under the model's own path, as the router also does.
AutoRouterConversationalTask._prepare_base_url = lambda self, api_key: (  # type: ignore[method-assign]
    f"{os.environ['HUBDEMO_COMPARE_ROUTER']}/hf-inference/models/{os.environ['HUBDEMO_COMPARE_MODEL']}"
)

demo = gr.load(f"models/{os.environ['HUBDEMO_COMPARE_MODEL']}")
