"""Inference Providers through the router: the upstream (upstream.py), huggingface_hub's
provider helpers that build each provider's request (helpers.py), and the safe fetch of files
a provider answers with as URLs (fetch.py). Which provider serves a model is chosen in
hubdemo/providers.py."""
