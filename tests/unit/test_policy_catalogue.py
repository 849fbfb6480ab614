"""The policy catalogue (人社政策服务包): what commissioners may say they explained."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from domain.policy_catalogue import Policy, PolicyCatalogue, catalogue_from_data
from domain.shared import InvalidInput
from infra.policy_catalogue_loader import PolicyCatalogueError, load_policy_catalogue

REFUND = "POL-STABLE-JOB-REFUND"
LOAN = "POL-STABLE-JOB-LOAN"


@pytest.fixture(scope="module")
def catalogue() -> PolicyCatalogue:
    return load_policy_catalogue()


def test_the_shipped_catalogue_holds_the_policies_the_plan_names(
    catalogue: PolicyCatalogue,
) -> None:
    titles = {policy.title for policy in catalogue}
    for title in ("失业保险稳岗返还", "吸纳返乡农民工就业补贴", "创业担保贷款", "稳岗贷"):
        assert title in titles
    assert "县域制造业就业补贴" in titles
    assert all(policy.source and policy.benefit for policy in catalogue)


def test_a_policy_is_found_by_its_code(catalogue: PolicyCatalogue) -> None:
    refund = catalogue.lookup(REFUND)
    assert refund is not None
    assert refund.title == "失业保险稳岗返还"
    assert REFUND in catalogue
    assert catalogue.lookup("POL-NOPE") is None


def test_an_unknown_code_is_refused_naming_it(catalogue: PolicyCatalogue) -> None:
    with pytest.raises(InvalidInput) as refused:
        catalogue.require([REFUND, "POL-FREE-LUNCH"])
    assert refused.value.field == "policiesExplained"
    assert "POL-FREE-LUNCH" in refused.value.message
    assert REFUND not in refused.value.message


def test_known_codes_come_back_trimmed_and_once_each(catalogue: PolicyCatalogue) -> None:
    assert catalogue.require([f" {REFUND} ", LOAN, REFUND]) == (REFUND, LOAN)
    assert catalogue.require([]) == ()


def test_adding_a_policy_gives_a_new_catalogue_and_leaves_the_old_one_alone(
    catalogue: PolicyCatalogue,
) -> None:
    hiring = Policy("POL-ONE-OFF-HIRING-GRANT", "一次性扩岗补助", "示例", "test")
    larger = catalogue.with_policy(hiring)
    assert larger.require(["POL-ONE-OFF-HIRING-GRANT"]) == ("POL-ONE-OFF-HIRING-GRANT",)
    assert len(larger) == len(catalogue) + 1
    assert "POL-ONE-OFF-HIRING-GRANT" not in catalogue


def test_adding_a_policy_with_a_known_code_replaces_it_in_place(
    catalogue: PolicyCatalogue,
) -> None:
    revised = Policy(REFUND, "失业保险稳岗返还", "返还比例见当年文件")
    updated = catalogue.with_policy(revised)
    assert updated.lookup(REFUND) == revised
    assert [p.code for p in updated] == [p.code for p in catalogue]


@pytest.mark.parametrize(
    ("code", "title", "benefit", "field"),
    [
        ("stable-job", "稳岗", "返还", "code"),
        ("POL-STABLE", "  ", "返还", "title"),
        ("POL-STABLE", "稳岗", "", "benefit"),
    ],
)
def test_a_policy_needs_a_proper_code_a_title_and_a_benefit(
    code: str, title: str, benefit: str, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        Policy(code, title, benefit)
    assert refused.value.field == field


def test_a_code_listed_twice_is_refused() -> None:
    entry = {"code": LOAN, "title": "稳岗贷", "benefit": "减息让利类贷款"}
    with pytest.raises(InvalidInput, match=LOAN):
        catalogue_from_data({"policies": [entry, entry]})


def test_a_file_that_is_not_json_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.json"
    path.write_text('{"policies": [\n  {"code": ,}\n]}', encoding="utf-8")
    with pytest.raises(PolicyCatalogueError, match=r"not valid JSON.*line 2") as refused:
        load_policy_catalogue(path)
    assert str(path) in str(refused.value)


def test_an_entry_without_a_benefit_is_named_in_the_error(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.json"
    entries = [
        {"code": LOAN, "title": "稳岗贷", "benefit": "减息让利类贷款"},
        {"code": REFUND, "title": "失业保险稳岗返还"},
    ]
    path.write_text(json.dumps({"policies": entries}), encoding="utf-8")
    with pytest.raises(PolicyCatalogueError, match="政策目录第 2 项：惠及事项不能为空"):
        load_policy_catalogue(path)


def test_a_file_without_a_policies_list_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.json"
    path.write_text("[]", encoding="utf-8")
    with pytest.raises(PolicyCatalogueError, match="缺少 policies 列表"):
        load_policy_catalogue(path)


def test_a_missing_file_is_reported_by_name(tmp_path: Path) -> None:
    with pytest.raises(PolicyCatalogueError, match=r"missing\.json"):
        load_policy_catalogue(tmp_path / "missing.json")
