"""The catalogue of rule ids: every ``Removal`` names one of these.

A rule id is ``<family>.<what>`` (sometimes a third part for the variant) and is
stable: run summaries count removals per rule, goldens and users' configs refer to
them, the review page filters by them. A new rule gets its id here, in the same
commit as the code that records it; ``tests/test_rules.py`` checks that every rule
the code records is catalogued and every catalogued rule is recorded somewhere.
"""
from __future__ import annotations

_LISTS = ("exact", "prefix", "contains", "pattern")


def _phrase_rules(family: str, what: str, lists: tuple[str, ...] = _LISTS) -> dict[str, str]:
    return {f"{family}.{how}": f"{what}: the block matches the `{family}` phrase family's `{how}` list"
            for how in lists}


RULES: dict[str, str] = {
    # dateline.py (rule ids keep the family name they were given: they are stable)
    "metadata.dateline": "a dateline in the head (or a labelled one at the end) moved to `published`",
    "metadata.byline": "a byline in the head moved to `authors`",
    "metadata.dateline-byline": "one line holding both the dateline and the byline, moved to metadata",
    "metadata.dateline-label": "a lone “Published” label printed above the dateline",
    # title.py
    "title.headline": "the text's first line, shaped like a headline and followed by prose, moved to `title`",
    "title.declared": "the declared title (an HTML page's) printed again among the first blocks",
    "title.alone": "a text that is only a headline (another story's card, a header without body): its title",
    "title.alone-label": "a label, date or button printed with a headline that has no body",
    "title.teaser-card": "a text that is only a teaser card: its excerpt, cut short, and its labels (headline to title)",
    "title.trimmed-head": "the first line the page trimmer took with the header run is the headline",
    # site_boilerplate.py (rule ids and the `[params.site_profile]` family keep their name)
    "profile.site": "a block the site's own pages show to be its boilerplate (its site profile)",
    # comments.py
    "comments.section.strong": "a strong comment-section marker (“Leave a Reply”) and everything after it",
    "comments.section.weak": "a weak comment heading (“Comments”) in the second half, confirmed by what follows",
    "comments.section.thread": "a weak comment heading anywhere, confirmed by the comment thread after it (to its end)",
    "comments.thread.frame": "a reader-comment thread with no heading: its repeated frames (name, time, Reply button)",
    "comments.form.exact": "a line of the comment form (“Name *”, “Post Comment”)",
    # captions.py
    "captions.credit.slash": "a photo credit naming a photographer and an agency (“Yuri Kadobnov/AP”)",
    "captions.credit.agency": "a photo credit naming a picture agency and nothing else (“Getty Images”)",
    "captions.credit.label": "a photo credit starting with a credit label (“Photo:”, “Image source”)",
    "captions.caption.page-markup": "a caption the HTML page marks as one (figcaption, caption class)",
    "captions.caption.label": "a caption starting with a caption label (“FILE -”, “Pictured:”)",
    "captions.caption.wire-style": "a wire-service caption (“In this … photo”)",
    "captions.caption.inline-credit": "a caption ending with its own photo credit",
    "captions.caption.named-credit": "a caption ending with a credit label and a name, no agency (“… Photo: Jane Doe”)",
    "captions.caption.above-credit": "a short block printed directly above a photo credit, in its figure group",
    "captions.label.kicker": "a section label or kicker printed with a photo caption",
    # marked_boxes.py
    "markup.disclaimer": "a block the page's markup puts in a disclaimer or disclosure box",
    "markup.cta": "a block the page's markup puts in a call-to-action box",
    "markup.promo": "a block the page's markup puts in a promotion box",
    "markup.excerpt": "a block the page's markup marks as a teaser card's excerpt",
    "markup.popup": "a block the page's markup puts in a modal or pop-up",
    # promos.py
    **_phrase_rules("promos", "a call to action or link to other content"),
    "promos.allcaps-headline": "a headline of another story printed in capitals",
    # furniture.py
    **_phrase_rules("newsletter", "a newsletter sign-up prompt"),
    **_phrase_rules("share", "a share or follow button", ("exact",)),
    "share.button-row": "a row made only of share or follow button words",
    **_phrase_rules("ads", "an advertisement label", ("exact",)),
    **_phrase_rules("cookies", "a cookie notice", ("exact", "contains")),
    "cookies.weak-in-context": "a weak cookie phrase with a word of the web in the same block",
    **_phrase_rules("copyright", "a copyright line", ("pattern", "exact", "prefix")),
    "tags.prefix": "a tag or category line (“Tags: …”) followed by a list of short items",
    "headline-list.heading": "a “Most Read” / “Related” heading of a list of other stories",
    "headline-list.item": "a headline in the list under a “Most Read” / “Related” heading",
    "headline-list.card": "a story card (headline, excerpt, date or label) in the list under a “Related” heading",
    "bio.pattern": "an author bio among the last blocks of the article",
    "bio.author-box": "an author box in the last part: its heading (“About the author”) and the bio under it",
    "bio.standalone": "an author bio anywhere (a name, a writing job, more about them), the name used nowhere else",
    **_phrase_rules("disclosure", "a disclosure note (affiliate links, commissions, sponsors)", ("pattern",)),
    # interface_labels.py
    **_phrase_rules("interface", "a page-interface label", ("exact", "pattern")),
    "interface.form": "a web form's fixed string: its status message, a field label, a “Was this helpful?” widget",
    # page_trim.py (rule ids keep the family name they were given: they are stable)
    "pagetrim.nav-head": "a navigation run before the article body (whole-page text)",
    "pagetrim.nav-tail": "a navigation run after the article body (whole-page text)",
    "pagetrim.end-markers": "the page's tail after two end-of-article blocks close together",
    "pagetrim.end-marker.lone": "the page's tail after its copyright line or comment section, no prose after it",
    # contents.py
    "contents.entry": "an entry of a table of contents whose entries repeat the article's subheadings below",
    "contents.heading": "the label (“Contents”, “In this article”) above such a table of contents",
    # dedupe.py
    "dedupe.exact": "a paragraph repeating an earlier one word for word",
    "dedupe.near.repeat": "a paragraph nearly repeating an earlier one (trigram overlap)",
    "dedupe.near.contained": "a paragraph contained in an earlier, fuller one",
    "dedupe.near.fuller-copy": "an earlier shorter block (a dek) contained in a fuller later copy",
    # learned.py
    "learned.block": "a block the block model scores as boilerplate at or above its threshold",
}
