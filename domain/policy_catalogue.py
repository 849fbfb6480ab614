"""The policy catalogue (人社政策服务包): the policies commissioners explain to enterprises."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from domain.shared import InvalidInput, require_text

POLICIES_FIELD = "policiesExplained"
_CODE = re.compile(r"POL(-[A-Z0-9]+)+")


@dataclass(frozen=True)
class Policy:
    """One policy: a stable code, its title (政策名称) and the benefit it concerns (享受内容)."""

    code: str
    title: str
    benefit: str
    source: str = ""  # where the policy text says so, e.g. the plan's section number

    def __post_init__(self) -> None:
        if not _CODE.fullmatch(self.code):
            raise InvalidInput("policy.code_format", field="code", code=self.code)
        # Frozen, so trimmed text is stored through object.__setattr__.
        object.__setattr__(self, "title", require_text(self.title, "title", max_length=200))
        object.__setattr__(self, "benefit", require_text(self.benefit, "benefit"))


class PolicyCatalogue:
    """Policies by code, in catalogue order; immutable (adding one gives a new catalogue)."""

    def __init__(self, policies: Iterable[Policy] = ()) -> None:
        self._by_code: dict[str, Policy] = {}
        for policy in policies:
            if policy.code in self._by_code:
                raise InvalidInput("policy.listed_twice", field="code", code=policy.code)
            self._by_code[policy.code] = policy

    def __len__(self) -> int:
        return len(self._by_code)

    def __iter__(self) -> Iterator[Policy]:
        return iter(self._by_code.values())

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def lookup(self, code: str) -> Policy | None:
        return self._by_code.get(code)

    def require(self, codes: Iterable[str]) -> tuple[str, ...]:
        """The given codes, trimmed and without repeats, or InvalidInput naming the unknown ones."""
        wanted = tuple(dict.fromkeys(code.strip() for code in codes))
        unknown = [code for code in wanted if code not in self._by_code]
        if unknown:
            raise InvalidInput("policy.unknown", field=POLICIES_FIELD, codes=unknown)
        return wanted

    def with_policy(self, policy: Policy) -> PolicyCatalogue:
        """A catalogue with `policy` added, or replacing the one with its code (kept in place)."""
        return PolicyCatalogue({**self._by_code, policy.code: policy}.values())


def catalogue_from_data(data: object) -> PolicyCatalogue:
    """Build a catalogue from parsed JSON: {"policies": [{code, title, benefit, source}, ...]}."""
    entries = data.get("policies") if isinstance(data, Mapping) else None
    if not isinstance(entries, list):
        raise InvalidInput("policy.no_list", field="policies")
    return PolicyCatalogue(_policy_from_entry(i, entry) for i, entry in enumerate(entries, 1))


def _policy_from_entry(number: int, entry: object) -> Policy:
    if not isinstance(entry, Mapping):
        raise InvalidInput("policy.entry_not_object", field="policies", number=number)
    values = {key: entry.get(key) for key in ("code", "title", "benefit", "source")}
    bad = [key for key, value in values.items() if value is not None and not isinstance(value, str)]
    if bad:
        raise InvalidInput("policy.entry_not_text", field=bad[0], number=number, names=bad)
    try:
        return Policy(
            code=values["code"] or "",
            title=values["title"] or "",
            benefit=values["benefit"] or "",
            source=values["source"] or "",
        )
    except InvalidInput as exc:
        raise InvalidInput("policy.entry", field=exc.field, number=number, reason=exc.text) from exc
