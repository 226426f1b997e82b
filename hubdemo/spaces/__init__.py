"""hubdemo as a Gradio *client*: a Space (``spaces/<owner>/<name>``) served as hubdemo's demo.

connect.py asks the Hub about the Space and connects gradio_client; components.py reads its
endpoint's components; mapping.py, task.py and chat.py make the task that serves it; values.py
and display.py read its answers; upstream.py calls it; tape.py keeps its calls for smoke's
--record/--replay.
"""
