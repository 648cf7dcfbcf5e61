"""What every unit test shares: structlog's console output, with plain tracebacks.

The unit tests run no process's configure_logging, so structlog keeps its development default,
which renders a logged exception with rich: the source of every frame read and highlighted, about
half a second an exception. The same lines with Python's own traceback cost nothing;
structlog.testing.capture_logs still sees each event as before.
"""

from __future__ import annotations

import structlog
from structlog.dev import ConsoleRenderer, plain_traceback

*processors, renderer = structlog.get_config()["processors"]
assert isinstance(renderer, ConsoleRenderer), renderer
structlog.configure(processors=[*processors, ConsoleRenderer(exception_formatter=plain_traceback)])
