"""A stand-in Space with audio: /predict says whether a sound is loud or quiet (its RMS), and
/reverse plays it backwards, answering a file."""

import gradio as gr
import numpy as np


def loudness(sound):
    _, samples = sound
    level = float(np.sqrt(np.mean((samples.astype(np.float64) / 32768.0) ** 2)))
    loud = min(1.0, level * 4)
    return {"loud": loud, "quiet": 1.0 - loud}


def reverse(sound):
    rate, samples = sound
    return rate, samples[::-1].copy()


with gr.Blocks() as demo:
    sound = gr.Audio(type="numpy", label="Sound")
    verdict = gr.Label(label="Verdict")
    backwards = gr.Audio(type="numpy", label="Backwards", format="wav")
    gr.Button("Judge").click(loudness, sound, verdict, api_name="predict")
    gr.Button("Reverse").click(reverse, sound, backwards, api_name="reverse")
