"""The sectors a city names: the 19 major groups (专业大类) of the 2021 vocational major catalogue.

Why a fixed table: a city's programmes, its enterprise pool and its labour demand must
speak of the same sectors, and a bureau plans majors in the Ministry of Education's
words. The catalogue of 2021 (教育部《职业教育专业目录（2021年）》, 教职成〔2021〕2号,
12 March 2021) sorts every vocational major into 19 major groups, 97 classes and 1,349
majors, one scheme for all three levels: secondary vocational (中职, group codes 61-79),
higher vocational specialist (高职专科, 41-59) and vocational bachelor (职业本科, 21-39).
The groups are the same at every level and in the same order, so a group's three codes
differ by 20; this table gives the higher-vocational code, and a city may name a group
by any of its three codes, its id or its Chinese name.

The English names are the project's renderings (the catalogue is published in Chinese).
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.messages import text


@dataclass(frozen=True, slots=True)
class MajorGroup:
    """One major group (专业大类) of the 2021 catalogue."""

    code: int
    """The higher-vocational (高职专科) code, 41-59; the secondary code is code + 20, the bachelor's code - 20."""
    id: str
    """The id a city file may use (English, snake case)."""
    zh: str
    """The catalogue's name."""
    en: str
    """The name in English."""


MAJOR_GROUPS: tuple[MajorGroup, ...] = (
    MajorGroup(41, "agriculture", "农林牧渔大类", "Agriculture, forestry, animal husbandry and fishery"),
    MajorGroup(42, "resources_environment_safety", "资源环境与安全大类", "Resources, environment and safety"),
    MajorGroup(43, "energy_power_materials", "能源动力与材料大类", "Energy, power and materials"),
    MajorGroup(44, "civil_engineering", "土木建筑大类", "Civil engineering and architecture"),
    MajorGroup(45, "water_conservancy", "水利大类", "Water conservancy"),
    MajorGroup(46, "equipment_manufacturing", "装备制造大类", "Equipment manufacturing"),
    MajorGroup(47, "biology_chemical", "生物与化工大类", "Biology and chemical engineering"),
    MajorGroup(48, "light_industry_textiles", "轻工纺织大类", "Light industry and textiles"),
    MajorGroup(49, "food_drugs_grain", "食品药品与粮食大类", "Food, drugs and grain"),
    MajorGroup(50, "transport", "交通运输大类", "Transport"),
    MajorGroup(51, "electronics_information", "电子与信息大类", "Electronics and information"),
    MajorGroup(52, "medicine_health", "医药卫生大类", "Medicine and health"),
    MajorGroup(53, "finance_commerce", "财经商贸大类", "Finance and commerce"),
    MajorGroup(54, "tourism", "旅游大类", "Tourism"),
    MajorGroup(55, "culture_art", "文化艺术大类", "Culture and art"),
    MajorGroup(56, "journalism_communication", "新闻传播大类", "Journalism and communication"),
    MajorGroup(57, "education_sports", "教育与体育大类", "Education and sports"),
    MajorGroup(58, "public_security_justice", "公安与司法大类", "Public security and justice"),
    MajorGroup(59, "public_administration_services", "公共管理与服务大类", "Public administration and services"),
)
"""The 19 major groups of the 2021 catalogue, in the catalogue's order."""

LEVEL_CODE_OFFSETS = (0, 20, -20)
"""What the code of a group at each level adds to its higher-vocational code: 高职专科, 中职, 职业本科."""

_BY_NAME: dict[str, MajorGroup] = {
    **{group.id: group for group in MAJOR_GROUPS},
    **{group.zh: group for group in MAJOR_GROUPS},
    **{str(group.code + offset): group for group in MAJOR_GROUPS for offset in LEVEL_CODE_OFFSETS},
}


def major_group(name: str | int) -> MajorGroup:
    """The major group a city file names by id, code (any level's, as a number or text) or Chinese name.

    Raises:
        ValueError: no group has that name; the message (catalogue ``city.unknown_sector``)
            lists the ids.
    """
    key = str(name).strip() if isinstance(name, (str, int)) and not isinstance(name, bool) else None
    group = _BY_NAME.get(key) if key is not None else None
    if group is None:
        raise ValueError(text("city.unknown_sector", found=repr(name),
                              ids=", ".join(group.id for group in MAJOR_GROUPS)))
    return group


__all__ = ["LEVEL_CODE_OFFSETS", "MAJOR_GROUPS", "MajorGroup", "major_group"]
