"""``hubdemo serve``'s web app: assembly (app.py), the demo's routes (routes.py), the one error
handler (errors.py), request bodies (bodies.py), load limits (limits.py),
security layers (security.py), uvicorn and workers (serving.py), the ASGI factory (asgi.py)."""
