"""The unit resilience report as pages and files: the page and its downloads (``views``), its
form (``forms``), what the viewer may see of it (``query``), the page's tables (``tables``)
and the PDF, CSV, XLSX, JSON and standalone HTML renderers (``renderers``). The figures come
from the engine (``skills.coverage``)."""
