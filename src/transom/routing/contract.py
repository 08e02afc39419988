"""What a route promised about its response headers, enforced at run time.

Built once per route from its declarations (`transom.metadata`): the static
header values transom sends for the route, and the headers it declared as
required. The required check runs when declaration checks are on — under
`TestClient`, or in an app created with `debug=True` — so a route that forgets a
header it documents fails its tests loudly instead of silently drifting.
"""

from __future__ import annotations

from collections.abc import Sequence

from transom._types import Scope
from transom.http.cookies import CookieAttributes
from transom.http.headers import VALIDATOR_NAMES, RawHeaders, encode_name
from transom.http.merge import merge_headers
from transom.metadata import (
    CHECK_DECLARATIONS_KEY,
    ResponseContractError,
    ResponseCookie,
    ResponseHeader,
    applies_to,
)

__all__ = ["ResponseContract"]


class ResponseContract:
    """The run-time part of a route's declared headers and cookies."""

    __slots__ = (
        "active",
        "cookie_attributes",
        "kept_on_error",
        "label",
        "required",
        "sends_validators",
        "static",
    )

    def __init__(
        self,
        label: str,
        headers: Sequence[ResponseHeader],
        cookies: Sequence[ResponseCookie],
    ) -> None:
        self.label = label
        self.cookie_attributes: dict[str, CookieAttributes] = {
            cookie.name: cookie.attributes for cookie in cookies
        }
        self.kept_on_error = frozenset(cookie.name for cookie in cookies if cookie.keep_on_error)
        self.static = [
            (header, (encode_name(header.name), header.value.encode("latin-1")))
            for header in headers
            if header.value is not None
        ]
        self.required = [
            (header, encode_name(header.name)) for header in headers if header.required
        ]
        self.active = bool(self.static or self.required)
        #: A static `ETag` or `Last-Modified` is declared: responses have a validator.
        self.sends_validators = any(pair[0] in VALIDATOR_NAMES for _, pair in self.static)

    def apply(self, scope: Scope, status: int, headers: RawHeaders) -> RawHeaders:
        """Add the static headers for `status` and, if checks are on, check required ones.

        Raises:
            ResponseContractError: naming the route and the missing header.
        """
        static = [pair for header, pair in self.static if applies_to(header.statuses, status)]
        if static:
            headers = merge_headers(headers, static)
        if self.required and _checks_on(scope):
            sent = {name for name, _ in headers}
            for header, name in self.required:
                if applies_to(header.statuses, status) and name not in sent:
                    raise ResponseContractError(
                        f"{self.label} declares the response header {header.name!r} as "
                        f"required, but its {status} response does not send it. Set it "
                        "(e.g. response.headers[...] = ...) or declare it required=False."
                    )
        return headers


def _checks_on(scope: Scope) -> bool:
    if scope.get(CHECK_DECLARATIONS_KEY):
        return True
    return bool(getattr(scope.get("app"), "debug", False))
