"""Thin views: parse and authorize the request, call a selector or service, render."""
