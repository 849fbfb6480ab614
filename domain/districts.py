"""Chongqing's 38 districts and counties plus the three functional areas (see seed addressees)."""

from __future__ import annotations

import unicodedata

from domain.shared import InvalidInput

DISTRICTS: tuple[str, ...] = (
    "万州区", "黔江区", "涪陵区", "渝中区", "大渡口区", "江北区", "沙坪坝区", "九龙坡区",
    "南岸区", "北碚区", "綦江区", "大足区", "渝北区", "巴南区", "长寿区", "江津区",
    "合川区", "永川区", "南川区", "璧山区", "铜梁区", "潼南区", "荣昌区", "开州区",
    "梁平区", "武隆区",
    "城口县", "丰都县", "垫江县", "忠县", "云阳县", "奉节县", "巫山县", "巫溪县",
    "石柱土家族自治县", "秀山土家族苗族自治县", "酉阳土家族苗族自治县", "彭水苗族土家族自治县",
    "两江新区", "西部科学城重庆高新区", "万盛经开区",
)  # fmt: skip

# Short forms people type (石柱县, 高新区, 重庆两江新区…) map to the official name.
_ALIASES: dict[str, str] = {
    "石柱县": "石柱土家族自治县",
    "秀山县": "秀山土家族苗族自治县",
    "酉阳县": "酉阳土家族苗族自治县",
    "彭水县": "彭水苗族土家族自治县",
    "高新区": "西部科学城重庆高新区",
    "重庆高新区": "西部科学城重庆高新区",
    "万盛区": "万盛经开区",
    "万盛经济技术开发区": "万盛经开区",
}


def validate_district(raw: str, field: str = "district") -> str:
    """The official district name, or InvalidInput naming the unknown one."""
    name = "".join(unicodedata.normalize("NFKC", raw or "").split())
    name = name.removeprefix("重庆市").removeprefix("重庆")
    if name in DISTRICTS:
        return name
    if name in _ALIASES:
        return _ALIASES[name]
    raise InvalidInput("district.unknown", field=field, value=raw)
