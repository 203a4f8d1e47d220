"""Inline SVG charts under the Content-Security-Policy (config/settings.py).

pygal writes a ``<style>`` element, a configuration ``<script>`` (unused: charts are drawn with
``js=()``) and a few ``style=""`` attributes into its SVG. The policy allows only elements that
carry the request's nonce, so the style gets it, the script goes and the attributes become SVG
presentation attributes."""

from __future__ import annotations

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()

_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL | re.IGNORECASE)
_STYLE_TAG = re.compile(r"<style\b(?![^>]*\bnonce=)", re.IGNORECASE)
_OPACITY = re.compile(r'style="opacity: ?([0-9.]+);?"')


@register.filter
def with_nonce(svg, nonce):
    """The chart's markup, fit for a page whose policy asks for ``nonce``."""
    if not svg:
        return svg
    text = _SCRIPT.sub("", str(svg))
    text = _OPACITY.sub(r'opacity="\1"', text)
    # django-csp's lazy nonce is falsy until first read, so read it rather than test it.
    text = _STYLE_TAG.sub(f'<style nonce="{escape("" if nonce is None else str(nonce))}"', text)
    return mark_safe(text)  # noqa: S308 - the input is the renderer's own SVG
