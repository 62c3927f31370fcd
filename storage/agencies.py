"""Which agency a report belongs to: names matched against the registry, and the entries
made for agencies the registry does not know (archived as ``registered: false``).

The archive decides with :class:`AgencyIndex`: the agency the report's **title** names
first, the document's own **issuer** (its 落款 signature, first line or
``<meta name="ContentSource">``) second, the site's owner last. A city's list may carry
the province's report; the title and the issuer say whose it is, not the site.

Names are compared robustly (:func:`name_key`): white space, fullwidth forms and markup
do not count; level words and their government suffixes are one name (宁海县 ↔ 宁海县政府 ↔
宁海县人民政府, 某某街道 ↔ 某某街道办事处, 某某镇 ↔ 某某镇人民政府); common abbreviations
are spelled out (卫健局 ↔ 卫生健康局, 管委会 ↔ 管理委员会); a region prefix is allowed when
it is the agency's own region (宁海县长街镇人民政府 ↔ 长街镇人民政府 under 宁海县); a name
that starts with a bare level word (市教育局, 县人民政府) is read within the site owner's
region (宁波市教育局 for a site of 宁海县, under 宁波市).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from registry.names import clean_name

__all__ = [
    "AgencyEntry",
    "AgencyIndex",
    "NameSource",
    "canonical",
    "guess_level_kind",
    "looks_like_agency",
    "name_key",
    "names_compatible",
    "plausible_name",
    "unregistered_id",
]

SUFFIXES = ("人民政府办公室", "人民政府办公厅", "人民政府", "政府", "办事处")
SPACE = re.compile(r"\s+")
LEVEL_RANK = {"national": 0, "province": 1, "city": 2, "county": 3, "township": 4}


class NameSource(StrEnum):
    """Where a name comes from, which decides how loosely it may match."""

    TITLE = "title"
    """The agency the report's title (or its listing's link text) names."""
    ISSUER = "issuer"
    """The document's own issuer: the 落款 signature, a first line, ``ContentSource``.
    An issuing office (宁海县人民政府办公室) stands for its government when the office
    itself is not registered."""


def canonical(name: str) -> str:
    """Compare names without white space and without the 人民政府 suffix (the key of the
    ids of unregistered agencies: kept as it was so that ids stay stable)."""
    name = SPACE.sub("", name)
    for suffix in SUFFIXES[:4]:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def unregistered_id(name: str) -> str:
    """A stable slug for an agency found in a title but not in the registry."""
    return "unreg-" + hashlib.sha1(canonical(name).encode("utf-8")).hexdigest()[:12]


# ------------------------------------------------------------------ name keys

# abbreviations as titles and signatures print them → the full form of the registry
_ABBREVIATIONS = (
    ("卫健委", "卫生健康委员会"),
    ("卫健局", "卫生健康局"),
    ("发改委", "发展和改革委员会"),
    ("发改局", "发展和改革局"),
    ("发展改革委", "发展和改革委员会"),
    ("发展改革局", "发展和改革局"),
    ("人社局", "人力资源和社会保障局"),
    ("住建局", "住房和城乡建设局"),
    ("资规局", "自然资源和规划局"),
    ("市场监管局", "市场监督管理局"),
    ("医保局", "医疗保障局"),
    ("城管局", "城市管理局"),
    ("教体局", "教育体育局"),
    ("文旅局", "文化和旅游局"),
    ("应急局", "应急管理局"),
    ("退役军人局", "退役军人事务局"),
    ("交通局", "交通运输局"),
    ("国资委", "国有资产监督管理委员会"),
    ("残联", "残疾人联合会"),
    ("供销社", "供销合作社联合社"),
    ("管委会", "管理委员会"),
    ("政府办公室", "人民政府办公室"),
    ("政府办", "人民政府办公室"),
    ("府办", "人民政府办公室"),
    ("街道办", "街道办事处"),
)
# government suffixes that name the same agency as the bare area name
_GOVERNMENT_SUFFIX = re.compile(r"(?:人民政府|政府|办事处)$")
_OFFICE_SUFFIX = re.compile(r"(?:人民政府办公室|人民政府办公厅|办公室|办公厅)$")
_REGION_PART = re.compile(
    r".+?(?:特别行政区|自治区|自治州|自治县|自治旗|地区|省|市|州|盟|县|区|旗)"
)
_RELATIVE = re.compile(r"^(省|市|州|县|区|旗|镇|乡)(?=.)")
_AREA_LEVEL = (
    (re.compile(r"(?:省|自治区|特别行政区)$"), "province"),
    (re.compile(r"(?:市|自治州|州|盟|地区)$"), "city"),
    (re.compile(r"(?:县|自治县|区|旗|自治旗|林区|特区)$"), "county"),
    (re.compile(r"(?:镇|乡|民族乡|街道|苏木|办事处)$"), "township"),
)
_DEPARTMENT_SUFFIX = re.compile(
    r"(?:局|委员会|委|办公室|办公厅|办|厅|中心|署|部|处|队|站|所|院|会|社|海关|支行|分行|总站|分局)$"
)
_AGENCY_SUFFIX = re.compile(
    r"(?:政府|办公室|办公厅|办事处|委员会|管委会|委|局|厅|署|部|办|中心|站|所|队|院|会|社|海关"
    r"|支行|分行|调查队|兵团|省|自治区|市|州|盟|县|区|旗|镇|乡|街道|苏木)$"
)
_NOT_A_NAME = re.compile(r"[。，；、！？!?,;:：]|\d+[年月日]|网站|网$|本网|编辑|来源|作者")
_NOT_AN_ISSUER = re.compile(r"[0-9０-９]|年|月|日")


def _plain(name: str) -> str:
    return SPACE.sub("", unicodedata.normalize("NFKC", name))


def name_key(name: str) -> str:
    """The form two names are compared in: NFKC, no white space, abbreviations spelled
    out, no 和, no government suffix (宁海县人民政府 → 宁海县, 跃龙街道办事处 → 跃龙街道)."""
    key = _plain(name)
    for short, full in _ABBREVIATIONS:
        if key.endswith(short) and not key.endswith(full):
            key = key[: -len(short)] + full
    key = key[:1] + key[1:].replace("和", "")  # 发展和改革局 ↔ 发展改革局 (not 和平区)
    stripped = _GOVERNMENT_SUFFIX.sub("", key)
    return stripped if len(stripped) >= 2 else key


def _office_key(name: str) -> str | None:
    """宁海县人民政府办公室 → 宁海县: the government an issuing office stands for."""
    plain = _plain(name)
    for short, full in _ABBREVIATIONS:
        if plain.endswith(short) and full.endswith("办公室") and not plain.endswith(full):
            plain = plain[: -len(short)] + full
    if not _OFFICE_SUFFIX.search(plain):
        return None
    rest = _OFFICE_SUFFIX.sub("", plain)
    return name_key(rest) if rest and _area_level(rest) else None


def _area_level(name: str) -> str | None:
    for pattern, level in _AREA_LEVEL:
        if pattern.search(name):
            return level
    return None


_BARE_WORD = re.compile(
    r"^(?:本|该|我)?(?:人民政府办公室|人民政府|政府办公室|政府|办公室|办公厅|办事处|委员会|管委会"
    r"|机关|单位|部门|本机关|本单位|局|委|办|厅|中心)$"
)


_HAN = re.compile(r"[\u4e00-\u9fff]")


def plausible_name(name: str | None) -> bool:
    """Could be a name: in Chinese (a spreadsheet's ``Sheet1`` is not), not a bare word
    (政府, 本机关), no year, date or sentence marks."""
    if not name:
        return False
    plain = _plain(name)
    return (
        2 <= len(plain) <= 40
        and bool(_HAN.search(plain))
        and not _BARE_WORD.match(plain)
        and not _NOT_A_NAME.search(plain)
    )


def looks_like_agency(name: str | None) -> bool:
    """A cleaned, short name that ends like an agency (局, 人民政府, 街道办事处, 镇 …) and
    is not a bare word, a sentence, a date or a web site."""
    plain = _plain(name or "")
    return (
        plausible_name(name)
        and bool(_AGENCY_SUFFIX.search(plain))
        and not _NOT_AN_ISSUER.search(plain)
    )


def names_compatible(name: str, other: str) -> bool:
    """Whether one name may be a shorter or longer form of the other (市教育局 and
    宁波市教育局, 城厢镇 and 太仓市城厢镇人民政府)."""
    key, other_key = name_key(name), name_key(other)
    if key == other_key or other_key.endswith(key) or key.endswith(other_key):
        return True
    relative = _RELATIVE.match(key)
    return relative is not None and other_key.endswith(key[len(relative.group(1)) :])


def guess_level_kind(name: str) -> tuple[str, str]:
    """Level and kind from the name alone; archivists correct them when they register it."""
    key = name_key(name)
    if re.search(r"(镇|乡|街道|苏木)$", key):
        return "township", "government"
    if _DEPARTMENT_SUFFIX.search(key):
        parts = _REGION_PART.findall(key[:-1])
        if parts:
            return _area_level(parts[-1]) or "county", "department"
        relative = _RELATIVE.match(key)
        if relative:
            level = _area_level(relative.group(1)) or "county"
            return ("county" if level == "township" else level), "department"
        if re.match(r"(国家|国务院|中国|中华人民共和国)", key) or re.search(r"(部|署|总局)$", key):
            return "national", "department"
        return "county", "department"
    return _area_level(key) or "county", "government"


# ------------------------------------------------------------------ the index


@dataclass(frozen=True)
class AgencyEntry:
    id: str
    name: str
    aliases: tuple[str, ...] = ()
    parent_id: str | None = None
    level: str = "county"
    kind: str = "government"
    registered: bool = True


@dataclass
class AgencyIndex:
    """The agencies of the archive (registered and not), for matching names."""

    entries: dict[str, AgencyEntry] = field(default_factory=dict)
    _exact: dict[str, list[str]] = field(default_factory=dict)
    _keys: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, entries: Iterable[AgencyEntry]) -> AgencyIndex:
        index = cls()
        for entry in entries:
            index.add(entry)
        return index

    def add(self, entry: AgencyEntry) -> None:
        self.entries[entry.id] = entry
        for name in (entry.name, *entry.aliases):
            if not name:
                continue
            exact = self._exact.setdefault(_plain(name), [])
            if entry.id not in exact:
                exact.append(entry.id)
            keyed = self._keys.setdefault(name_key(name), [])
            if entry.id not in keyed:
                keyed.append(entry.id)

    # -- relations
    def chain(self, ident: str | None) -> list[str]:
        """``ident`` and its ancestors, nearest first."""
        out: list[str] = []
        while ident is not None and ident in self.entries and ident not in out:
            out.append(ident)
            ident = self.entries[ident].parent_id
        return out

    def _family(self, owner: str | None) -> set[str]:
        """The owner, its ancestors, and the agencies directly under any of them."""
        chain = set(self.chain(owner))
        return chain | {e.id for e in self.entries.values() if e.parent_id in chain}

    def _pick(self, ids: list[str], owner: str | None) -> str | None:
        if not ids:
            return None
        if owner in ids:
            return owner
        family = self._family(owner)
        close = [i for i in ids if i in family]
        if len(close) == 1:
            return close[0]
        pool = close or ids
        registered = [i for i in pool if self.entries[i].registered]
        return sorted(registered or pool)[0]

    # -- matching
    def match(
        self, name: str | None, *, owner: str | None = None, source: NameSource = NameSource.TITLE
    ) -> str | None:
        """The id of the agency ``name`` names, or None. ``owner`` is the site's owner:
        it wins ties, and relative names (市教育局) are read in its region."""
        cleaned = clean_name(name)
        if cleaned is None:
            return None
        for candidate in self._readings(cleaned, owner):
            found = self._match_one(candidate, owner)
            if found is not None:
                return found
        if source is NameSource.ISSUER:
            office = _office_key(cleaned)
            if office is not None:
                found = self._pick(self._keys.get(office, []), owner)
                if found is not None:
                    return found
        return None

    def _readings(self, name: str, owner: str | None) -> list[str]:
        """The name, and for a relative name (县卫健局) the name in the owner's region."""
        readings = [name]
        qualified = self.qualify(name, owner)
        if qualified is not None:
            readings.append(qualified)
        return readings

    def qualify(self, name: str, owner: str | None) -> str | None:
        """宁海县 + 县卫健局 → 宁海县卫健局: a name that starts with a bare level word, in the
        nearest region of the owner's chain at that level; None for other names."""
        relative = _RELATIVE.match(_plain(name))
        if relative is None:
            return None
        word = relative.group(1)
        for ident in self.chain(owner):
            entry = self.entries[ident]
            area = _GOVERNMENT_SUFFIX.sub("", _plain(entry.name))
            if entry.kind == "government" and area.endswith(word) and len(area) > len(word):
                return area + _plain(name)[len(word) :]
        return None

    def _match_one(self, name: str, owner: str | None) -> str | None:
        plain = _plain(name)
        found = self._pick(self._exact.get(plain, []), owner)
        if found is not None:
            return found
        key = name_key(plain)
        found = self._pick(self._keys.get(key, []), owner)
        if found is not None:
            return found
        # 宁海县长街镇人民政府: a region prefix that is the agency's own region
        for match in _REGION_PART.finditer(key):
            prefix, rest = key[: match.end()], key[match.end() :]
            if len(rest) < 2:
                break
            ids = [i for i in self._keys.get(rest, []) if self._prefix_fits(prefix, i)]
            found = self._pick(ids, owner)
            if found is not None:
                return found
        return None

    def _prefix_fits(self, prefix: str, ident: str) -> bool:
        """Every region named in ``prefix`` is an ancestor of ``ident`` (or a level the
        registry records no ancestor at)."""
        ancestors = [self.entries[i] for i in self.chain(ident)[1:]]
        keys = {name_key(n) for a in ancestors for n in (a.name, *a.aliases)}
        levels = {a.level for a in ancestors}
        for part in _REGION_PART.findall(prefix):
            if part in keys or any(k.endswith(part) for k in keys):
                continue
            if _area_level(part) in levels:
                return False
        return True

    def compatible(self, name: str, ident: str) -> bool:
        """Whether ``name`` may be a shorter or longer form of agency ``ident``'s name."""
        entry = self.entries[ident]
        return any(names_compatible(name, other) for other in (entry.name, *entry.aliases))

    def parent_for(self, name: str, owner: str | None) -> str | None:
        """The likely parent of a new agency: the nearest agency of the owner's chain
        that its name starts with, else the nearest one above its level."""
        key = name_key(name)
        level, kind = guess_level_kind(name)
        chain = self.chain(owner)
        for ident in chain:
            entry = self.entries[ident]
            if any(key.startswith(name_key(n)) and key != name_key(n) for n in (entry.name,)):
                return ident
        for ident in chain:
            entry = self.entries[ident]
            rank, own = LEVEL_RANK.get(entry.level, 3), LEVEL_RANK.get(level, 3)
            if rank < own or (rank == own and kind == "department" and entry.kind == "government"):
                return ident
        return None
