"""Server-sent events over lines (httpx's ``iter_lines`` splits them): ``event``, ``id``, ``data`` and
comment lines, which is all lifeline's stream uses. Hand-written to keep httpx the only dependency."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator, List, Optional


@dataclass
class SseEvent:
    event: str
    data: str
    id: Optional[str] = None


def parse_sse(lines: Iterable[str]) -> Iterator[SseEvent]:
    event, ident, data = "", None, []  # type: str, Optional[str], List[str]
    for line in lines:
        line = line.rstrip("\r\n")
        if line == "":
            if data:
                yield SseEvent(event or "message", "\n".join(data), ident)
            event, data = "", []
            continue
        if line.startswith(":"):
            continue  # keep-alive ping
        field, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if field == "event":
            event = value
        elif field == "data":
            data.append(value)
        elif field == "id":
            ident = value
