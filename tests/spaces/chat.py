"""A stand-in Space: a streaming ChatInterface that answers by echoing the message word by
word, with how many turns it has seen, so tests know the answer in advance."""

import time

import gradio as gr


def respond(message, history):
    words = f"You said: {message} (turn {len(history) // 2 + 1})".split(" ")
    answer = ""
    for word in words:
        answer += ("" if not answer else " ") + word
        time.sleep(0.05)
        yield answer


demo = gr.ChatInterface(respond, title="Echo chat")
