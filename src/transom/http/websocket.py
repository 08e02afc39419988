"""WebSocket protocol rules a framework checks (RFC 6455), sans-IO.

Only what an app can get wrong when it closes a connection lives here: a close
frame is a control frame of at most 125 bytes, two of them the code, so a
reason is at most 123 bytes of UTF-8.
"""

from __future__ import annotations

__all__ = ["MAX_CLOSE_REASON", "check_close_reason", "clip_close_reason"]

#: The most bytes a close reason may have: a control frame carries 125, the code takes 2.
MAX_CLOSE_REASON = 123


def check_close_reason(reason: str) -> str:
    """`reason` if it fits a WebSocket close frame (RFC 6455 section 5.5).

    Raises:
        ValueError: if its UTF-8 is longer than 123 bytes.
    """
    size = len(reason.encode("utf-8"))
    if size > MAX_CLOSE_REASON:
        raise ValueError(
            f"A WebSocket close reason is at most {MAX_CLOSE_REASON} bytes of UTF-8, got "
            f"{size} bytes: {reason[:40]!r}...; send longer text as a message before closing."
        )
    return reason


def clip_close_reason(text: str) -> str:
    """`text` cut to fit a close frame, on a character boundary."""
    data = text.encode("utf-8")
    if len(data) <= MAX_CLOSE_REASON:
        return text
    return data[: MAX_CLOSE_REASON - 3].decode("utf-8", "ignore") + "..."
