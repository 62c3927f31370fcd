"""The registry: loading, validation messages, idempotent import (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from paths import REPO

from registry.loader import RegistryError, load_registry, parse_yaml

GOOD = """
agencies:
  - id: ninghai
    name: 宁海县人民政府
    aliases: [宁海县政府, 宁海县]
    division_code: "330226"
    level: county
    kind: government
  - id: changjie
    name: 长街镇人民政府
    aliases: [长街镇]
    level: township
    kind: government
    parent: ninghai
sites:
  - id: ninghai-gov
    agency: ninghai
    start_urls: [http://www.ninghai.gov.cn/col/col1229051395/index.html]
    render: auto
    schedule: "0 3 * * *"
"""


def test_spec_example_loads(shared_dir: Path) -> None:
    text = (shared_dir / "spec" / "registry.md").read_text(encoding="utf-8")
    example = text.split("```yaml", 1)[1].split("```", 1)[0]
    reg = parse_yaml(example, source="registry.md")
    assert [a.id for a in reg.agencies] == ["ninghai", "changjie"]
    assert reg.sites[0].hosts == ["www.ninghai.gov.cn"]
    assert reg.sites[0].schedule == "0 3 * * *"


def test_shipped_registry_loads() -> None:
    reg = load_registry(REPO / "config" / "sites.yaml")
    ids = {a.id for a in reg.agencies}
    assert {"changjie", "langao", "haibin", "kanbula", "guangwu"} <= ids
    for site in reg.sites:
        assert site.agency_id in ids


def test_hosts_default_to_start_url_hosts() -> None:
    reg = parse_yaml(GOOD)
    assert reg.sites[0].hosts == ["www.ninghai.gov.cn"]
    assert reg.sites[0].obey_robots is True


@pytest.mark.parametrize(
    ("mutation", "message"),
    [
        (
            ("level: township", "level: town"),
            "agencies[1] (id=changjie): level: 'town' is not one of",
        ),
        (
            ("kind: government\n    parent", "kind: ministry\n    parent"),
            "agencies[1] (id=changjie): kind: 'ministry'",
        ),
        (
            ("- id: changjie", "- id: Chang Jie"),
            "agencies[1] (id=Chang Jie): id: 'Chang Jie' is not a slug",
        ),
        (
            ("agency: ninghai", "agency: nowhere"),
            "sites[0] (id=ninghai-gov): agency: unknown agency 'nowhere'",
        ),
        (
            ("http://www.ninghai", "ftp://www.ninghai"),
            "sites[0] (id=ninghai-gov): start_urls: 'ftp://",
        ),
        (
            ('"0 3 * * *"', '"every day"'),
            "sites[0] (id=ninghai-gov): schedule: 'every day' is not a cron expression",
        ),
        (("render: auto", "render: sometimes"), "sites[0] (id=ninghai-gov): render: 'sometimes'"),
        (
            ('division_code: "330226"', 'division_code: "33-02"'),
            "agencies[0] (id=ninghai): division_code",
        ),
        (("    name: 长街镇人民政府\n", ""), "agencies[1] (id=changjie): name: required"),
        (
            ("    render: auto", "    colour: red"),
            "sites[0] (id=ninghai-gov): unknown field(s): colour",
        ),
        (
            ("- id: changjie", "- id: ninghai"),
            "agencies[1] (id=ninghai): id: duplicate of agencies[0]",
        ),
    ],
)
def test_errors_name_file_entry_and_field(
    tmp_path: Path, mutation: tuple[str, str], message: str
) -> None:
    path = tmp_path / "bad.yaml"
    old, new = mutation
    assert old in GOOD
    path.write_text(GOOD.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(RegistryError) as err:
        load_registry(path)
    assert str(err.value).startswith(f"{path}: ")
    assert message in str(err.value)


def test_invalid_yaml_names_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("agencies:\n  - id: x\n    name: [unclosed\n", encoding="utf-8")
    with pytest.raises(RegistryError, match=r"broken.yaml: line \d+, column \d+: invalid YAML"):
        load_registry(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="cannot read"):
        load_registry(tmp_path / "nope.yaml")


def test_csv_agencies(tmp_path: Path) -> None:
    path = tmp_path / "agencies.csv"
    path.write_text(
        "id,name,level,kind,aliases,division_code,parent\n"
        "ninghai,宁海县人民政府,county,government,宁海县|宁海县政府,330226,\n"
        "changjie,长街镇人民政府,township,government,长街镇,,ninghai\n",
        encoding="utf-8",
    )
    reg = load_registry(path)
    assert reg.agencies[0].aliases == ["宁海县", "宁海县政府"]
    assert reg.agencies[1].parent_id == "ninghai"
    path.write_text("id,name,level,kind\nx,某局,county,bureau\n", encoding="utf-8")
    with pytest.raises(RegistryError, match=r"agencies\[0\] \(id=x\): kind: 'bureau'"):
        load_registry(path)


def test_import_is_idempotent_and_updates(archive) -> None:
    reg = parse_yaml(GOOD)
    first = archive.import_registry(reg)
    assert (first.added, first.updated, first.unchanged) == (3, 0, 0)
    again = archive.import_registry(reg)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    changed = archive.import_registry(
        parse_yaml(GOOD.replace("aliases: [长街镇]", "aliases: [长街镇, 长街]"))
    )
    assert (changed.added, changed.updated, changed.unchanged) == (0, 1, 2)
    agencies = {a.id: a for a in archive.agencies()}
    assert len(agencies) == 2
    assert agencies["changjie"].aliases == ["长街镇", "长街"]
    assert [s.id for s in archive.sites()] == ["ninghai-gov"]


def test_shipped_registry_names_the_sample_web() -> None:
    """config/sites.yaml carries the bundled sample web as `scripts/demo` serves it."""
    import sampleweb

    shipped = load_registry(REPO / "config" / "sites.yaml")
    sample = parse_yaml(sampleweb.registry_yaml(port=8380))
    sites = {s.id: s for s in shipped.sites}
    agencies = {a.id: a for a in shipped.agencies}
    for site in sample.sites:
        ours = sites[f"sample-{site.id}"]
        assert (ours.agency_id, ours.start_urls, ours.render) == (
            site.agency_id,
            site.start_urls,
            site.render,
        )
    for agency in sample.agencies:
        assert agencies[agency.id].name == agency.name
