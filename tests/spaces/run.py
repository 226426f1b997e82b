"""Start one stand-in Space: python run.py <app module> <port>. Prints "ready" when it listens."""

import importlib
import sys

module = importlib.import_module(sys.argv[1])
app = module.demo
app.queue(**getattr(module, "QUEUE", {"default_concurrency_limit": 4})).launch(
    server_name="127.0.0.1",
    server_port=int(sys.argv[2]),
    prevent_thread_lock=True,
    show_error=True,
    quiet=True,
)
print("ready", flush=True)
app.block_thread()
