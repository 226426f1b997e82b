"""``hubdemo serve``'s web app: assembly (app.py), the demo's routes (routes.py), the one error
handler (errors.py), the ASGI factory (asgi.py); the machinery every server shares is
hubdemo/server/."""
