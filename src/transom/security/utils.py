"""Reading the `Authorization` header: `<scheme> <credentials>`."""

from __future__ import annotations

__all__ = ["get_authorization_scheme_param"]


def get_authorization_scheme_param(authorization_header_value: str | None) -> tuple[str, str]:
    """The scheme and the credentials of an `Authorization` value, `("", "")` for none.

    The scheme is the text before the first space, as sent (compare it without
    regard to case); the credentials are the rest without outer whitespace.
    """
    if not authorization_header_value:
        return "", ""
    scheme, _, credentials = authorization_header_value.partition(" ")
    return scheme, credentials.strip()
