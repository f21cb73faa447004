"""levelscope: measure regional inequality and monitor and evaluate the policies meant to reduce it."""

from __future__ import annotations

__version__ = "0.1.0"
