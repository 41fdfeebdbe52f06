"""The web front end: the Gradio app, the JSON API and the Zalo Official Account bot."""
