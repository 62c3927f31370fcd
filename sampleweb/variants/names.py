"""Agencies of the generated web: invented place names, real administrative shapes.

Every generated web draws its names from one `NamePool`, so no two sites share an agency
by accident. A handful of real counties (those the bundled assets hold real documents of:
岚皋县, 宁海县, 尖扎县, 荥阳市, 淮安市 …) can be drawn too: their reports may then be served
as the binary .doc/.wps/.xls/.pdf files of `sampleweb/assets`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace

FIRST = "东西南北青白石安平永长新宁兴华丰清和泰嘉福临金玉龙凤云松桃柳梅溪湖峰岭田"
SECOND = "山河阳城川江源州林水宁丰台溪泉岗坪陵原浦津谷桥湾塘"

PROVINCE_NAMES = ("江淮省", "岭东省", "云岭省", "河洛省", "湘中省", "燕北省", "闽海省", "秦川省")

COUNTY_DEPARTMENTS = (
    ("财政局", "czj"),
    ("教育局", "jyj"),
    ("民政局", "mzj"),
    ("自然资源局", "zrzyj"),
    ("住房和城乡建设局", "zjj"),
    ("卫生健康局", "wjj"),
    ("市场监督管理局", "scjgj"),
    ("农业农村局", "nyncj"),
    ("交通运输局", "jtysj"),
    ("审计局", "sjj"),
    ("统计局", "tjj"),
    ("人力资源和社会保障局", "rsj"),
    ("生态环境分局", "sthjj"),
    ("司法局", "sfj"),
    ("应急管理局", "yjglj"),
    ("发展和改革局", "fgj"),
    ("文化和旅游局", "whlyj"),
    ("水利局", "slj"),
)
CITY_DEPARTMENTS = (
    *((name.replace("分局", "局"), slug) for name, slug in COUNTY_DEPARTMENTS),
    ("公安局", "gaj"),
    ("医疗保障局", "ybj"),
)
PROVINCE_DEPARTMENTS = (
    ("财政厅", "czt"),
    ("教育厅", "jyt"),
    ("民政厅", "mzt"),
    ("自然资源厅", "zrzyt"),
    ("住房和城乡建设厅", "zjt"),
    ("卫生健康委员会", "wjw"),
    ("生态环境厅", "stht"),
    ("交通运输厅", "jtyst"),
    ("发展和改革委员会", "fgw"),
    ("人力资源和社会保障厅", "rst"),
    ("农业农村厅", "nynct"),
    ("审计厅", "sjt"),
)
TOWN_SUFFIXES = (("镇", "town"), ("乡", "town"), ("街道", "street"))


@dataclass(frozen=True)
class Agency:
    """An agency that owes reports; `registered` says whether the registry lists it."""

    id: str
    name: str  # the official name (registry name)
    short: str  # the name titles often use (青山县, 石桥镇)
    level: str  # province | city | county | township
    kind: str  # government | department
    parent: str | None = None
    registered: bool = True
    division_code: str | None = None
    aliases: tuple[str, ...] = ()
    pinyin: str = ""  # a slug for paths (czj, shiqiao …)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass
class AgencyTree:
    """A site owner and the agencies whose reports its site carries."""

    owner: Agency
    departments: list[Agency] = field(default_factory=list)
    townships: list[Agency] = field(default_factory=list)
    others: list[Agency] = field(default_factory=list)  # another agency's reports (province)
    real: str | None = None  # the real place (names.REAL_PLACES) the owner is, if any

    @property
    def all(self) -> list[Agency]:
        return [self.owner, *self.departments, *self.townships, *self.others]


# Real counties whose reports exist as binary assets (see assets.py). name -> (division code,
# parent place, level)
REAL_PLACES: dict[str, tuple[str, str, str]] = {
    "岚皋县": ("610925", "安康市", "county"),
    "宁海县": ("330226", "宁波市", "county"),
    "尖扎县": ("632322", "黄南藏族自治州", "county"),
    "荥阳市": ("410182", "郑州市", "county"),
    "淮安市": ("320800", "江苏省", "city"),
    "洪泽区": ("320813", "淮安市", "county"),
}
REAL_TOWNSHIPS = {
    "宁海县": ("长街镇", "桑洲镇", "岔路镇"),
    "尖扎县": ("坎布拉镇", "马克唐镇"),
    "荥阳市": ("广武镇", "豫龙镇"),
    "岚皋县": ("城关镇", "佐龙镇"),
    "洪泽区": ("高良涧街道", "岔河镇"),
    "淮安市": (),
}
REAL_DEPARTMENTS = {
    "岚皋县": ("财政局", "教育体育局", "民政局", "统计局", "卫生健康局"),
    "宁海县": ("农业农村局",),
}


class NamePool:
    """Unique invented place names for one web."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()
        self.used_real: set[str] = set()
        self.counter = 0

    def place(self) -> str:
        for _ in range(1000):
            name = self.rng.choice(FIRST) + self.rng.choice(SECOND)
            if name[0] != name[1] and name not in self.used:
                self.used.add(name)
                return name
        raise RuntimeError("name pool exhausted")

    def real_place(self, level: str) -> str | None:
        choices = [
            n for n, (_c, _p, lv) in REAL_PLACES.items() if lv == level and n not in self.used_real
        ]
        if not choices:
            return None
        name = self.rng.choice(sorted(choices))
        self.used_real.add(name)
        return name

    def code(self) -> str:
        self.counter += 1
        return (
            f"{self.rng.randint(11, 65)}{self.rng.randint(1, 19):02d}{self.counter % 90 + 10:02d}"
        )


def _slug(site: str, part: str) -> str:
    return f"{site}-{part}".lower()


def county_tree(
    pool: NamePool,
    site: str,
    rng: random.Random,
    *,
    level: str = "county",
    n_departments: int = 3,
    n_townships: int = 3,
    unregistered_share: float = 0.25,
    allow_real: bool = True,
) -> AgencyTree:
    """A county (区/县/县级市) or city government with departments and townships."""
    real = pool.real_place(level) if allow_real and rng.random() < 0.3 else None
    if real is not None:
        place = real
        code, _parent, _lv = REAL_PLACES[real]
        short = real
        if real == "洪泽区":
            place = "洪泽区"
    else:
        stem = pool.place()
        suffix = {"county": rng.choice(("县", "县", "区", "市")), "city": "市"}[level]
        short = stem + suffix
        code = pool.code()
        place = short
    gov_suffix = "人民政府"
    owner = Agency(
        id=_slug(site, "gov"),
        name=place + gov_suffix,
        short=short,
        level=level,
        kind="government",
        division_code=code,
        aliases=(short, place + "政府")
        + (("淮安市洪泽区人民政府", "淮安市洪泽区") if real == "洪泽区" else ()),
        pinyin="gov",
    )
    tree = AgencyTree(owner, real=real)
    depts = COUNTY_DEPARTMENTS if level == "county" else CITY_DEPARTMENTS
    real_depts = REAL_DEPARTMENTS.get(real or "", ())
    chosen: list[tuple[str, str]] = [
        (d, next((s for n, s in depts if n == d), f"d{i}")) for i, d in enumerate(real_depts)
    ]
    for d in rng.sample(list(depts), k=min(len(depts), n_departments + 2)):
        if len(chosen) >= n_departments + len(real_depts):
            break
        if d[0] not in {c[0] for c in chosen}:
            chosen.append(d)
    for name, slug in chosen[: max(n_departments, len(real_depts))]:
        registered = rng.random() >= unregistered_share
        tree.departments.append(
            Agency(
                id=_slug(site, slug),
                name=short + name,
                short=short + name,
                level=level,
                kind="department",
                parent=owner.id,
                registered=registered,
                pinyin=slug,
            )
        )
    real_towns = list(REAL_TOWNSHIPS.get(real or "", ()))
    for i in range(n_townships if level == "county" else 0):
        if real_towns:
            town = real_towns.pop(0)
        else:
            suffix, _kind = rng.choice(TOWN_SUFFIXES)
            town = pool.place() + suffix
        official = town + ("办事处" if town.endswith("街道") else "人民政府")
        tree.townships.append(
            Agency(
                id=_slug(site, f"t{i + 1}"),
                name=official,
                short=town,
                level="township",
                kind="government",
                parent=owner.id,
                registered=rng.random() >= unregistered_share,
                aliases=(town,),
                pinyin=f"xz{i + 1}",
            )
        )
    return tree


def province_tree(pool: NamePool, site: str, rng: random.Random, n_departments: int) -> AgencyTree:
    names = [p for p in PROVINCE_NAMES if p not in pool.used]
    province = rng.choice(names)
    pool.used.add(province)
    owner = Agency(
        id=_slug(site, "gov"),
        name=province + "人民政府",
        short=province,
        level="province",
        kind="government",
        division_code=f"{rng.randint(11, 65)}0000",
        aliases=(province, province + "政府"),
        pinyin="gov",
    )
    tree = AgencyTree(owner)
    for name, slug in rng.sample(list(PROVINCE_DEPARTMENTS), k=n_departments):
        tree.departments.append(
            Agency(
                id=_slug(site, slug),
                name=province + name,
                short=province + name,
                level="province",
                kind="department",
                parent=owner.id,
                registered=rng.random() >= 0.2,
                pinyin=slug,
            )
        )
    return tree


def department_tree(pool: NamePool, site: str, rng: random.Random) -> AgencyTree:
    """A city department running its own site (TRS department sites, gkmlpt mounts)."""
    city = pool.place() + "市"
    name, slug = rng.choice(list(CITY_DEPARTMENTS))
    owner = Agency(
        id=_slug(site, slug),
        name=city + name,
        short=city + name,
        level="city",
        kind="department",
        aliases=(),
        pinyin=slug,
    )
    return AgencyTree(owner)


def another_province(pool: NamePool, rng: random.Random, site: str) -> Agency:
    """A province whose report a city's list also carries (guide §2.3)."""
    names = [p for p in PROVINCE_NAMES if p not in pool.used] or list(PROVINCE_NAMES)
    province = rng.choice(names)
    return Agency(
        id=_slug(site, "prov"),
        name=province + "人民政府",
        short=province,
        level="province",
        kind="government",
        registered=False,
        aliases=(province,),
        pinyin="prov",
    )


def unregister(agency: Agency) -> Agency:
    return replace(agency, registered=False)


def maybe_another(
    pool: NamePool, tree: AgencyTree, rng: random.Random, site: str, p: float = 0.4
) -> None:
    """With probability `p`, a city's list also carries its province's report (§2.3)."""
    if tree.owner.level == "city" and rng.random() < p:
        tree.others.append(another_province(pool, rng, site))
