"""``hubdemo endpoint``: a model on this machine behind the router's own routes (app.py
assembles, routing.py decides and answers)."""
