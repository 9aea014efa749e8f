"""The division tree as codes: the one module that knows how long a code is at each level.

A node's code is the significant statistical code (GB/T 2260 + NBS township/village codes): 2 digits for a
province, 4 for a city, 6 for a county, 9 for a township, 12 for a village. A node's code is a prefix of the
codes of everything below it (53 → 5333 → 533301 → 533301001 → 533301001001), so a subtree is the code range
``[p, p + "9" * (12 - len(p))]`` — one indexed range scan on any database, with no recursive query.

Level numbers are 1 (province) … 5 (village); 0 is the whole country, whose "code" is ``""``.
Pure functions only: no models, no database, no app imports.
"""

from __future__ import annotations

CODE_LENGTH = 12  # a village's code; no code is longer

NATION, PROVINCE, CITY, COUNTY, TOWNSHIP, VILLAGE = 0, 1, 2, 3, 4, 5
# Code length at each level (level → length); the nation is the empty code.
LENGTHS: dict[int, int] = {NATION: 0, PROVINCE: 2, CITY: 4, COUNTY: 6, TOWNSHIP: 9, VILLAGE: CODE_LENGTH}
# Level of a code of each length (length → level).
LEVELS: dict[int, int] = {n: level for level, n in LENGTHS.items()}
# The lengths of real nodes, from the province down (2, 4, 6, 9, 12).
NODE_LENGTHS: tuple[int, ...] = tuple(n for n in sorted(LEVELS) if n)


def is_code(text: str | None) -> bool:
    """A code of at most 12 ASCII digits (``str.isdigit`` also accepts full-width and other digits).
    Any length up to 12 passes: a prefix typed into a search box is a code too."""
    return text is not None and 0 < len(text) <= CODE_LENGTH and all("0" <= c <= "9" for c in text)


def is_node_code(text: str | None) -> bool:
    """A code of one of the five node lengths (2, 4, 6, 9 or 12 digits)."""
    return is_code(text) and len(text or "") in LEVELS


def level_of(code: str) -> int:
    """The level (0 nation … 5 village) of a code; ValueError for a length no level has."""
    try:
        return LEVELS[len(code)]
    except KeyError:
        raise ValueError(f"not a division code: {code!r}") from None


def length_of(level: int) -> int:
    """The code length at ``level`` (0 for the nation)."""
    return LENGTHS[int(level)]


def parent_length(length: int) -> int:
    """The code length of the level above a code of ``length`` (0 above a province)."""
    return LENGTHS[max(LEVELS[length] - 1, NATION)]


def child_length(length: int) -> int:
    """The code length of the level below a code of ``length`` (a village has none: 12 again)."""
    return LENGTHS[min(LEVELS[length] + 1, VILLAGE)]


def parent_code(code: str) -> str:
    """The code of the node above ``code`` (``""`` above a province)."""
    return code[: parent_length(len(code))] if code else ""


def ancestors(code: str) -> list[str]:
    """The codes above ``code``, from its province down, without the nation and without ``code`` itself."""
    return [code[:n] for n in NODE_LENGTHS if n < len(code)]


def subtree_bounds(prefix: str) -> tuple[str, str]:
    """The inclusive code range of ``prefix`` and everything below it, for ``__range=`` or ``BETWEEN %s AND %s``.
    ``""`` is the whole country."""
    if prefix != "" and not is_code(prefix):
        raise ValueError(f"not a division code: {prefix!r}")
    return prefix, prefix + "9" * (CODE_LENGTH - len(prefix))


def in_subtree(code: str | None, prefix: str) -> bool:
    """``code`` lies in the subtree of ``prefix`` (everything lies in the nation's)."""
    return code is not None and code.startswith(prefix)


def sql_in_subtree(code: str, prefix: str) -> str:
    """SQL: the code column ``code`` lies in the subtree of the code column ``prefix`` (a join condition; for a
    fixed prefix use ``col BETWEEN %s AND %s`` with ``subtree_bounds``)."""
    return f"({code} >= {prefix} AND {code} <= {prefix} || '{'9' * CODE_LENGTH}')"
