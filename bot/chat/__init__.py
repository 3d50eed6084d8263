"""The web chat, in parts: render.py (hits -> HTML), uploads.py (files -> data/uploads/),
examples.py (example questions), engine.py (the shared index and model, one chat turn),
ui.py (the gradio page and how it is wired). `app.py` at the top starts it.

Nothing below bot/chat imports it: the chat is the top layer.
"""
