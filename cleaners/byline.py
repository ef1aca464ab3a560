"""Reading the author names of a byline block: "By Jane Doe and John Roe, Reuters" → [Jane Doe, John Roe]."""
from __future__ import annotations

import regex

from .document import Params, Words
from .textutil import word_count


class BylineParams(Params):
    """How long a byline may be (config: ``[params.byline]``)."""

    max_byline_words: Words = 14   # "By Jane Doe and John Roe, The Associated Press": names, not a sentence


_NAME = r"[\p{Lu}][\p{L}\p{M}'’.-]*"
_BYLINE_NAMES = regex.compile(
    rf"^(?P<names>{_NAME}(?:\s+(?:{_NAME}|van|von|de|da|der|den|del|la|le|di|du|dos|das|bin|al-\p{{L}}+))*"
    rf"(?:\s*(?:,|&|\band\b|\bund\b|\bet\b|\by\b|\be\b|\ben\b)\s*{_NAME}(?:\s+(?:{_NAME}|van|von|de|da|der|del|di))*)*)"
    r"(?:\s*(?:,|\||-|–|—)\s*(?P<org>[\p{L}\p{M}\s.&'’-]{2,60}))?$",
    regex.V1)


def parse_byline(text: str, prefixes: tuple[str, ...], agencies: tuple[str, ...] = (),
                 max_words: int = 14) -> list[str] | None:
    """Author names of a byline block of at most ``max_words`` words ("By Jane Doe and
    John Roe, Reuters"), else None.

    An agency printed after the last name without a comma ("By JANE DOE Associated
    Press") is set aside; names printed in capitals (wire style) are title-cased."""
    if word_count(text) > max_words:
        return None
    t = text.strip()
    for p in sorted(prefixes, key=len, reverse=True):
        if t.casefold().startswith(p.casefold()) and len(t) > len(p) and not t[len(p)].isalnum():
            rest = t[len(p):].strip(" :")
            break
    else:
        return None
    m = _BYLINE_NAMES.match(rest)
    if not m:
        return None
    names = regex.split(r"\s*(?:,|&|\band\b|\bund\b|\bet\b|\by\b|\be\b|\ben\b)\s*", m.group("names"))
    names = [n.strip() for n in names if n.strip()]
    if names and agencies:
        last = names[-1]
        for ag in sorted(agencies, key=len, reverse=True):
            if last.casefold().endswith(" " + ag.casefold()) and len(last) > len(ag) + 1:
                names[-1] = last[:-len(ag)].strip()
                break
    # "By Jane Doe, Reuters" / "By Jane Doe, The Guardian": the organisation is not an author
    orgs = {a.casefold() for a in agencies}
    names = [n for n in names if n.casefold() not in orgs and not regex.match(r"(?i:the)\s", n)]
    return [n.title() if n.isupper() and len(n) > 3 else n for n in names] or None


_ORG = regex.compile(r"^(?:{n})(?:[\s-]+(?:{n}|of|for|and|&))*$".format(n=r"[\p{Lu}\p{N}][\p{L}\p{N}.'’&-]*"), regex.V1)


def is_organisation(text: str) -> bool:
    """A name of capitalised words ("Example Network", "Bureau of Statistics"): what
    "By Jane Doe | Example Network" prints after the byline."""
    return bool(_ORG.match(text.strip()))
