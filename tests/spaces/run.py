"""Start one stand-in Space: python run.py <app module> <port>. Prints "ready" when it listens."""

import importlib
import sys

module = importlib.import_module(sys.argv[1])
app = module.demo.queue(**getattr(module, "QUEUE", {"default_concurrency_limit": 4}))
# Gradio's queue looks for work every 1 ms when it has none: ~5% of a CPU per idle app, and the
# tests keep a dozen apps up. Every 20 ms costs a job at most 20 ms and the CPU almost nothing.
if hasattr(app._queue, "sleep_when_free"):
    app._queue.sleep_when_free = 0.02
    app._queue.progress_update_sleep_when_free = 0.2
app.launch(
    server_name="127.0.0.1",
    server_port=int(sys.argv[2]),
    prevent_thread_lock=True,
    show_error=getattr(module, "SHOW_ERROR", True),
    quiet=True,
)
print("ready", flush=True)
app.block_thread()
