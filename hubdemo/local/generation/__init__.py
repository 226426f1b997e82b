"""Generation with a causal language model on this machine: the model and its settings
(model.py), OpenAI's chat (chat.py), and TGI's text generation and OpenAI's completions
(completions.py). One loaded model answers all three."""
