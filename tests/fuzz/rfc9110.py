"""The RFC 9110 grammar that sent headers are held to, written apart from the code under test."""

from __future__ import annotations

import re

__all__ = ["FIELD_VALUE", "TOKEN"]

#: Section 5.6.2 `token`: a field name, a method.
TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_VCHAR = r"[\x21-\x7e\x80-\xff]"
#: Section 5.5 `field-value`: field-vchar (VCHAR / obs-text), SP and HTAB only between.
FIELD_VALUE = re.compile(rf"(?:{_VCHAR}(?:[ \t\x21-\x7e\x80-\xff]*{_VCHAR})?)?")
