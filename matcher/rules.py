"""Hard rules shared by the mentoring and peer matchers.

A pair that breaks any rule is forbidden (score ``-inf``). The rules are
evaluated block-wise with numpy so that a 20,000 x 5,000 table builds fast,
and the same code answers "which rules forbid this pair?" for explanations
and "how many candidates did each rule remove?" for diagnoses.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from matcher.profiles import Profile, Reason, Rules, pair_key

#: Rule name -> words for a member or HR. ``{cooldown}`` is filled in.
RULE_TEXT: dict[str, str] = {
    "same_person": "The same person",
    "reporting_line": "In the same reporting line",
    "no_shared_language": "No language in common",
    "cooldown": "Matched together within the last {cooldown} round(s)",
    "declined": "One of them declined the other before",
    "low_rated": "Their earlier match was rated low",
    "forbidden": "HR ruled this pair out",
}


def rule_masks(
    rows: Sequence[Profile], cols: Sequence[Profile], rules: Rules
) -> Iterator[tuple[str, np.ndarray]]:
    """Yield ``(rule name, boolean mask)`` for every hard rule.

    Parameters
    ----------
    rows, cols : sequence of Profile
        The two sides of the table (the same list for peers).
    rules : Rules
        Which rules apply and the history they use.

    Yields
    ------
    name : str
        A key of ``RULE_TEXT``.
    mask : ndarray of bool, shape (len(rows), len(cols))
        True where the rule forbids the pair.

    Examples
    --------
    >>> a, b = Profile(1, managers=(2,)), Profile(2)
    >>> {name: mask.tolist() for name, mask in rule_masks([a], [a, b], Rules())}["reporting_line"]
    [[False, True]]
    """
    row_ids = np.fromiter((p.id for p in rows), dtype=np.int64, count=len(rows))
    col_ids = np.fromiter((p.id for p in cols), dtype=np.int64, count=len(cols))
    row_index = {pid: i for i, pid in enumerate(row_ids.tolist())}
    col_index = {pid: j for j, pid in enumerate(col_ids.tolist())}
    shape = (len(rows), len(cols))

    yield "same_person", row_ids[:, None] == col_ids[None, :]
    yield "reporting_line", _reporting_line_mask(rows, cols, row_index, col_index, rules)
    yield "no_shared_language", _language_mask(rows, cols, rules)
    history = rules.history
    recent = [pair for pair, ago in history.rounds_ago.items() if 1 <= ago <= rules.cooldown_rounds]
    for name, pairs in (
        ("cooldown", recent),
        ("declined", history.declined),
        ("low_rated", history.low_rated),
        ("forbidden", rules.forbidden),
    ):
        yield name, _pairs_mask(pairs, row_index, col_index, shape)


def forbidden_mask(rows: Sequence[Profile], cols: Sequence[Profile], rules: Rules) -> np.ndarray:
    """Boolean mask, True where any hard rule forbids the pair.

    Examples
    --------
    >>> forbidden_mask([Profile(1)], [Profile(1), Profile(2)], Rules()).tolist()
    [[True, False]]
    """
    mask = np.zeros((len(rows), len(cols)), dtype=bool)
    for _, rule_mask in rule_masks(rows, cols, rules):
        mask |= rule_mask
    return mask


def broken_rules(row: Profile, col: Profile, rules: Rules) -> list[str]:
    """Names of the hard rules the pair ``(row, col)`` breaks, in ``RULE_TEXT`` order.

    Examples
    --------
    >>> broken_rules(Profile(1, languages=frozenset({"Thai"})),
    ...              Profile(2, languages=frozenset({"English"})), Rules())
    ['no_shared_language']
    """
    return [name for name, mask in rule_masks([row], [col], rules) if mask[0, 0]]


def rule_counts(row: Profile, cols: Sequence[Profile], rules: Rules) -> dict[str, int]:
    """How many of ``cols`` each hard rule removes for ``row`` (non-zero counts only).

    A candidate removed by two rules counts under both.

    Examples
    --------
    >>> rule_counts(Profile(1), [Profile(1), Profile(2), Profile(3)], Rules())
    {'same_person': 1}
    """
    counts = {name: int(mask.sum()) for name, mask in rule_masks([row], cols, rules)}
    return {name: count for name, count in counts.items() if count}


def rule_reasons(row: Profile, col: Profile, rules: Rules) -> list[Reason]:
    """One ``"rule"`` reason (contribution ``-inf``) per hard rule the pair breaks.

    ``params`` names the rule (a key of ``RULE_TEXT``) and, for
    ``"cooldown"``, the ``cooldown_rounds`` its words need.

    Examples
    --------
    >>> [(r.params, r.text) for r in rule_reasons(Profile(1), Profile(2), Rules(forbidden=frozenset({(1, 2)})))]
    [({'rule': 'forbidden'}, 'HR ruled this pair out')]
    """
    return [Reason("rule", -np.inf, {"rule": name, **rule_params([name], rules)}, rule_text(name, rules))
            for name in broken_rules(row, col, rules)]


def rule_params(names, rules: Rules) -> dict[str, int]:
    """What the words of rules ``names`` need beyond their names: ``cooldown_rounds`` for ``"cooldown"``.

    Examples
    --------
    >>> rule_params(["reporting_line", "cooldown"], Rules(cooldown_rounds=3))
    {'cooldown_rounds': 3}
    """
    return {"cooldown_rounds": int(rules.cooldown_rounds)} if "cooldown" in names else {}


def rule_text(name: str, rules: Rules) -> str:
    """The words for rule ``name``.

    Examples
    --------
    >>> rule_text("cooldown", Rules(cooldown_rounds=3))
    'Matched together within the last 3 round(s)'
    """
    return RULE_TEXT[name].format(cooldown=rules.cooldown_rounds)


def _reporting_line_mask(rows, cols, row_index, col_index, rules: Rules) -> np.ndarray:
    mask = np.zeros((len(rows), len(cols)), dtype=bool)
    depth = rules.reporting_line_depth
    if depth <= 0:
        return mask
    for i, profile in enumerate(rows):
        for manager in profile.managers[:depth]:
            j = col_index.get(manager)
            if j is not None:
                mask[i, j] = True
    for j, profile in enumerate(cols):
        for manager in profile.managers[:depth]:
            i = row_index.get(manager)
            if i is not None:
                mask[i, j] = True
    return mask


def _language_mask(rows, cols, rules: Rules) -> np.ndarray:
    if not rules.require_shared_language:
        return np.zeros((len(rows), len(cols)), dtype=bool)
    vocabulary: dict[str, int] = {}
    row_langs = _language_matrix(rows, vocabulary)
    col_langs = _language_matrix(cols, vocabulary)
    width = len(vocabulary)
    row_langs = _pad(row_langs, width)
    col_langs = _pad(col_langs, width)
    shared = row_langs @ col_langs.T > 0
    unknown = (row_langs.sum(axis=1) == 0)[:, None] | (col_langs.sum(axis=1) == 0)[None, :]
    return ~shared & ~unknown


def _language_matrix(profiles, vocabulary: dict[str, int]) -> np.ndarray:
    """One-hot rows of languages (case-insensitive), growing ``vocabulary``."""
    entries = []
    for i, profile in enumerate(profiles):
        for language in profile.languages:
            key = language.strip().casefold()
            if key:
                entries.append((i, vocabulary.setdefault(key, len(vocabulary))))
    matrix = np.zeros((len(profiles), max(len(vocabulary), 1)), dtype=np.float32)
    if entries:
        index = np.array(entries)
        matrix[index[:, 0], index[:, 1]] = 1.0
    return matrix


def _pad(matrix: np.ndarray, width: int) -> np.ndarray:
    width = max(width, 1)
    if matrix.shape[1] == width:
        return matrix
    return np.pad(matrix, ((0, 0), (0, width - matrix.shape[1])))


def _pairs_mask(pairs, row_index, col_index, shape) -> np.ndarray:
    mask = np.zeros(shape, dtype=bool)
    for a, b in pairs:
        a, b = pair_key(a, b)
        for x, y in ((a, b), (b, a)):
            i, j = row_index.get(x), col_index.get(y)
            if i is not None and j is not None:
                mask[i, j] = True
    return mask
