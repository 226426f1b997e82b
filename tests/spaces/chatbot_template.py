"""A stand-in Space in the shape of the Hub's chatbot template (the most copied Gradio Space):
a streaming ChatInterface with a system message, max tokens, temperature and top-p as
additional inputs. Its answer echoes them, so a test sees what reached it."""

import time

import gradio as gr


def respond(message, history, system_message, max_tokens, temperature, top_p):
    answer = ""
    said = (
        f"[{system_message}] max_tokens={max_tokens} temperature={temperature} top_p={top_p} "
        f"turn={len(history) // 2 + 1}: {message}"
    )
    for word in said.split(" "):
        answer += ("" if not answer else " ") + word
        time.sleep(0.02)
        yield answer


demo = gr.ChatInterface(
    respond,
    additional_inputs=[
        gr.Textbox(value="You are a friendly Chatbot.", label="System message"),
        gr.Slider(minimum=1, maximum=2048, value=512, step=1, label="Max new tokens"),
        gr.Slider(minimum=0.1, maximum=4.0, value=0.7, step=0.1, label="Temperature"),
        gr.Slider(
            minimum=0.1, maximum=1.0, value=0.95, step=0.05, label="Top-p (nucleus sampling)"
        ),
    ],
)
