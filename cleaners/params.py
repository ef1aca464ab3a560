"""Every cleaner's thresholds in one typed tree: ``CleanerParams``, one field per family.

Each family's model stands next to its cleaner (``captions.CaptionParams`` ...), with
the reason for each default beside it. The config sets any of them, globally or per
site, and pydantic rejects unknown names and bad values:

    [params.captions]
    max_credit_words = 10
    [sites."example.com".params.dedupe]
    near = 0.9

A cleaner reads its family from the draft's context: ``draft.context.params.captions``.
"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from .captions import CaptionParams
from .comments import CommentParams
from .contents import ContentsParams
from .dedupe import DedupeParams
from .furniture import FurnitureParams
from .byline import BylineParams
from .dateline import DatelineParams
from .interface_labels import InterfaceParams
from .page_trim import PageTrimParams
from .promos import PromoParams
from .site_boilerplate import SiteProfileParams
from .title import TitleParams


class CleanerParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    dateline: DatelineParams = Field(default_factory=DatelineParams)
    byline: BylineParams = Field(default_factory=BylineParams)
    site_profile: SiteProfileParams = Field(default_factory=SiteProfileParams)
    comments: CommentParams = Field(default_factory=CommentParams)
    captions: CaptionParams = Field(default_factory=CaptionParams)
    promos: PromoParams = Field(default_factory=PromoParams)
    furniture: FurnitureParams = Field(default_factory=FurnitureParams)
    contents: ContentsParams = Field(default_factory=ContentsParams)
    interface: InterfaceParams = Field(default_factory=InterfaceParams)
    page_trim: PageTrimParams = Field(default_factory=PageTrimParams)
    dedupe: DedupeParams = Field(default_factory=DedupeParams)
    title: TitleParams = Field(default_factory=TitleParams)

    def merged(self, override: "CleanerParams") -> "CleanerParams":
        """These parameters with what ``override`` sets explicitly (a site's table) on top."""
        families = {}
        for fam in override.model_fields_set:
            mine, theirs = getattr(self, fam), getattr(override, fam)
            families[fam] = mine.model_copy(update={k: getattr(theirs, k) for k in theirs.model_fields_set})
        return self.model_copy(update=families) if families else self


DEFAULT_PARAMS = CleanerParams()  # shared: the default path builds nothing per document
