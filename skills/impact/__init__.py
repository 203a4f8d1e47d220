"""Impact of a requirement or target change before it takes effect (services: the difference
of two runs of the one engine), and its page (views; paths in skills/urls.py)."""
