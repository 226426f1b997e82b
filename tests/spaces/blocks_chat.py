"""A stand-in Space: chatbots built with gr.Blocks, as many Spaces write them. /respond takes
the message and the Chatbot's history and answers ("", history + the turn); /user and /bot are
the two-step pattern (the message added, then the reply streamed word by word into the
history). The reply says the turn number and echoes a temperature Slider."""

import time

import gradio as gr


def reply_to(message, history, temperature=0.5):
    turns = sum(1 for m in history if m["role"] == "user") + 1
    return f"Blocks said: {message} (turn {turns}, temperature {temperature})"


def respond(message, history, temperature):
    answer = reply_to(message, history, temperature)
    return "", [
        *history,
        {"role": "user", "content": message},
        {"role": "assistant", "content": answer},
    ]


def user(message, history):
    return "", [*history, {"role": "user", "content": message}]


def bot(history):
    answer = reply_to(history[-1]["content"], history[:-1])
    history = [*history, {"role": "assistant", "content": ""}]
    for word in answer.split(" "):
        history[-1]["content"] += ("" if not history[-1]["content"] else " ") + word
        time.sleep(0.02)
        yield history


def texts(history):
    """Gradio 6 answers a message's content as parts: read back as plain text."""
    found = []
    for turn in history:
        content = turn["content"]
        if isinstance(content, list):
            content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
        found.append({"role": turn["role"], "content": content})
    return found


def on_submit(message, history, temperature):
    return respond(message, texts(history), temperature)


def on_send(message, history):
    return user(message, texts(history))


def on_reply(history):
    yield from bot(texts(history))


with gr.Blocks() as demo:
    chatbot = gr.Chatbot(
        label="Chat", **({} if gr.__version__.startswith("6") else {"type": "messages"})
    )
    message = gr.Textbox(label="Message")
    temperature = gr.Slider(0, 1, value=0.5, step=0.1, label="Temperature")
    message.submit(
        on_submit, [message, chatbot, temperature], [message, chatbot], api_name="respond"
    )
    gr.Button("Send").click(
        on_send, [message, chatbot], [message, chatbot], api_name="user", queue=False
    ).then(on_reply, chatbot, chatbot, api_name="bot")

if not gr.__version__.startswith("6"):  # Gradio 5's default: [[user, bot], …] pairs

    def on_pairs(message, pairs):
        history = [
            {"role": role, "content": said}
            for pair in pairs
            for role, said in zip(("user", "assistant"), pair)
            if said is not None
        ]
        return "", [*pairs, [message, reply_to(message, history)]]

    with demo:
        pairs = gr.Chatbot(label="Old chat", type="tuples")
        old_message = gr.Textbox(label="Old message")
        old_message.submit(
            on_pairs, [old_message, pairs], [old_message, pairs], api_name="respond_pairs"
        )
