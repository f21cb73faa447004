"""Serving an app on loopback for a browser, and saving screenshots (shared by the browser tests)."""

from __future__ import annotations

from pathlib import Path

from live_server import free_port, serve

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"

__all__ = ["free_port", "screenshot", "serve"]


def screenshot(page: object, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/screenshots and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path
