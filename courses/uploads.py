"""Refusing an oversized upload before its body is read (issue 13, point 9).

Django parses a multipart body, spooling files to disk, the first time anything reads
``request.POST``; the CSRF middleware does that before any view runs. So a view that takes
uploads is wrapped: the wrapper answers 413 from the ``Content-Length`` header alone, then
checks the CSRF token itself (the middleware is told to leave the view to it)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.shortcuts import render
from django.views.decorators.csrf import csrf_protect

# Room for the form's other fields and the multipart boundaries around the file.
FORM_OVERHEAD = 64 * 1024


def _megabytes(count: int) -> str:
    return f"{count / (1024 * 1024):g} MB"


def refuse_oversized_body(limit: Callable[[], int], *, what: str):
    """Answers 413 to a request whose declared body is larger than ``limit()`` bytes (plus
    the form's overhead), before reading any of it. ``what`` names the files in the message:
    "Import files", "Evidence files"."""

    def decorator(view):
        protected = csrf_protect(view)

        @wraps(view)
        def wrapped(request, *args, **kwargs):
            try:
                declared = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                declared = 0
            allowed = limit()
            if declared > allowed + FORM_OVERHEAD:
                return render(
                    request,
                    "courses/upload_too_large.html",
                    {
                        "what": what,
                        "limit": _megabytes(allowed),
                        "sent": _megabytes(declared),
                        "back": request.path,
                    },
                    status=413,
                )
            return protected(request, *args, **kwargs)

        # The CSRF check runs inside, once the size is known to be acceptable.
        wrapped.csrf_exempt = True
        return wrapped

    return decorator
