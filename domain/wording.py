"""Words of the league table a person reads, rendered once from the message catalogue
(domain/messages/labels.py) in the default language (中文)."""

from __future__ import annotations

from domain.messages import render

INSUFFICIENT_SAMPLE = render("league.insufficient_sample")
UNRANKED = render("league.unranked")
