"""Gradio web demo for the c5-stance classifier (``python demo/app.py``)."""
