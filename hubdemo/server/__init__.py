"""What every server of hubdemo's shares (``serve``'s app, Gradio's routes, ``hubdemo
endpoint``): request bodies within their budget (bodies.py), load limits (limits.py), security
layers (security.py), server-sent events (sse.py), and uvicorn with its guards (serving.py)."""
