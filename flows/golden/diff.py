"""What changed between a golden and a case's document now, paragraph by paragraph.

Every kept paragraph is one block, and every removal records its block's text, so each
changed paragraph can be explained by name:

    - "Photo: Jane Doe/Reuters"
        now removed by drop_captions_and_credits [captions.credit.slash] (credit: ...)
    + "Subscribe to our newsletter"
        now kept; the golden has it removed by drop_newsletter_prompts [...]
    ~ "Leave a Reply": removed by drop_comment_form, the golden says drop_comment_section
    published: '2024-03-05' -> None

Both sides are golden dicts (``expect.golden_of``), so a golden read from disk and one
just made compare the same way.
"""
from __future__ import annotations

import difflib

from .expect import METADATA, REMOVAL_FIELDS

WIDTH = 100  # characters of a paragraph shown


def _show(text: str) -> str:
    one = text.replace("\n", " / ")
    return repr(one if len(one) <= WIDTH else one[:WIDTH - 3] + "...")


def who(r: dict) -> str:
    """'cleaner [rule]' (or the cleaner alone when the removal has no rule)."""
    return f"{r['cleaner']} [{r['rule']}]" if r.get("rule") else r["cleaner"]


def _why(r: dict) -> str:
    return f"{who(r)} ({r.get('kind')}: {r.get('reason')})"


def _paragraphs(text: str) -> list[str]:
    return text.split("\n\n") if text else []


def _by_text(removed: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for r in removed:
        out.setdefault(r.get("text", ""), []).append(r)
    return out


def _line(sign: str, para: str, other_removed: dict, other_paras: list[str], removed: str, moved: str,
          absent: str) -> str:
    """One changed paragraph and why: the other side removed it (by whom), kept it elsewhere, or has no such block."""
    by = other_removed.get(para)
    note = removed + _why(by[0]) if by else moved if para in other_paras else absent
    return f"  {sign} {_show(para)}\n      {note}"


def explain(expected: dict, actual: dict) -> str:
    """A readable report of every difference; empty when the two goldens are equal."""
    if expected == actual:
        return ""
    out: list[str] = []
    exp_removed, act_removed = expected.get("removed", []), actual.get("removed", [])
    exp_by, act_by = _by_text(exp_removed), _by_text(act_removed)
    exp_paras, act_paras = _paragraphs(expected.get("text", "")), _paragraphs(actual.get("text", ""))
    matcher = difflib.SequenceMatcher(None, exp_paras, act_paras, autojunk=False)
    text_lines = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        for para in exp_paras[i1:i2]:  # kept in the golden, not kept now
            text_lines.append(_line("-", para, act_by, act_paras, "now removed by ",
                                    "now kept further on (paragraphs reordered)",
                                    "no longer in the output, kept or removed: the blocks were cut differently"))
        for para in act_paras[j1:j2]:  # kept now, not kept in the golden
            text_lines.append(_line("+", para, exp_by, exp_paras,
                                    "now kept: no cleaner removes it; the golden has it removed by ",
                                    "kept earlier in the golden (paragraphs reordered)",
                                    "new paragraph: not in the golden at all (the blocks were cut differently)"))
    if text_lines:
        out.append("text:")
        out.extend(text_lines)

    # removals whose block is removed on both sides, but by another rule or for another reason,
    # or removed blocks the text diff above cannot show (a removal gone with its block)
    rem_lines = []
    for text in sorted(set(exp_by) | set(act_by), key=lambda t: _first_position(t, exp_by, act_by)):
        old, new = exp_by.get(text, []), act_by.get(text, [])
        for o, n in zip(old, new):
            changed = [f for f in REMOVAL_FIELDS if o.get(f) != n.get(f)]
            if not changed:
                continue
            if set(changed) <= {"position"}:
                rem_lines.append(f"  ~ {_show(text)}: block {o.get('position')} -> {n.get('position')}")
            elif who(o) != who(n) or o.get("kind") != n.get("kind"):
                rem_lines.append(f"  ~ {_show(text)}: now removed by {_why(n)};\n      the golden says {_why(o)}")
            else:
                fields = ", ".join(f"{f} {o.get(f)!r} -> {n.get(f)!r}" for f in changed)
                rem_lines.append(f"  ~ {_show(text)} ({who(n)}): {fields}")
        for o in old[len(new):]:
            if text not in act_paras:  # not shown as '+' above: its block is gone
                rem_lines.append(f"  - {_show(text)}: the golden has it removed by {_why(o)}; "
                                 "no such block now")
        for n in new[len(old):]:
            if text not in exp_paras:  # not shown as '-' above
                rem_lines.append(f"  + {_show(text)}: now removed by {_why(n)}; the golden has no such block")
    if rem_lines:
        out.append("removals:")
        out.extend(rem_lines)

    meta_lines = [f"  {k}: {expected.get(k)!r} -> {actual.get(k)!r}"
                  for k in METADATA if expected.get(k) != actual.get(k)]
    extra = sorted(set(expected) - set(actual))
    if extra:
        meta_lines.append(f"  the golden holds fields a golden no longer keeps ({', '.join(extra)}): accept it again")
    if meta_lines:
        out.append("metadata (golden -> now):")
        out.extend(meta_lines)
    if not out:  # equal but for something not named above
        out.append("  the goldens differ in a way not shown above (compare expected.json by hand)")
    return "\n".join(out)


def _first_position(text: str, *sides: dict[str, list[dict]]) -> int:
    return min((r.get("position", 0) for side in sides for r in side.get(text, [])), default=0)
